/** API keys: compared in constant time, as SHA-256 digests so keys of different lengths take the same path. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type Access = 'none' | 'read' | 'write';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class KeyRing {
  private readonly write: Buffer[];
  private readonly read: Buffer[];

  constructor(apiKeys: string[], statusKeys: string[]) {
    this.write = apiKeys.map(digest);
    this.read = statusKeys.map(digest);
  }

  /** Browser sessions for the status page (a browser cannot send X-API-Key): random tokens, kept in memory. */
  private readonly sessions = new Map<string, { access: Access; expires: number }>();

  startSession(access: Access, ttlMs = 12 * 3_600_000): string {
    const token = randomBytes(32).toString('hex');
    this.sessions.set(token, { access, expires: Date.now() + ttlMs });
    return token;
  }

  sessionAccess(token: string | undefined): Access {
    const s = token ? this.sessions.get(token) : undefined;
    if (!s || s.expires < Date.now()) return 'none';
    return s.access;
  }

  get configured(): boolean {
    return this.write.length + this.read.length > 0;
  }

  /** What the presented key may do. Every stored key is compared, so timing does not tell which one matched. */
  accessOf(presented: string | undefined): Access {
    if (!presented) return 'none';
    const d = digest(presented);
    let write = false;
    let read = false;
    for (const k of this.write) write = timingSafeEqual(k, d) || write;
    for (const k of this.read) read = timingSafeEqual(k, d) || read;
    return write ? 'write' : read ? 'read' : 'none';
  }
}
