/**
 * Reading a backup's stored objects inside an activity: every open is a verified read (size and SHA-256 against
 * the manifest as the bytes pass), bytes are counted into heartbeats, and a timer keeps heartbeating through
 * stretches that read nothing (a database building indexes after its data arrived).
 */
import { PermanentError, type ArtifactRecord, type Counts, type Engine, type ReadContext } from '../engines/engine';
import type { Target } from '../config/types';
import type { BackupStore } from '../storage/store';
import { readVerified, verifyWhole } from '../storage/verified-read';
import type { Identity } from '../crypto/age';
import { canDecrypt, checkCiphertextShape } from '../storage/encryption';
import { activityTools } from './context';

/** Encrypted artifacts are decrypted with `identities` (storage/verified-read.ts). */
export function readingContext(store: BackupStore, artifacts: ArtifactRecord[], phase: string, identities: Identity[] = []) {
  const tools = activityTools();
  const verified = new Set<string>();
  const totalBytes = artifacts.reduce((n, a) => n + a.sizeBytes, 0);
  let bytesRead = 0;
  const beat = () => tools.heartbeat({ phase, bytesRead, totalBytes });
  const timer = setInterval(beat, 10_000);
  const count = (n: number) => { bytesRead += n; beat(); };
  const ctx: ReadContext = {
    ...tools,
    heartbeat: (progress) => tools.heartbeat({ phase, bytesRead, totalBytes, ...progress }),
    async open(artifact) {
      const read = await readVerified(store, artifact, tools.signal, count, identities);
      read.stream.on('end', () => { if (read.verified) verified.add(artifact.key); });
      return read.stream;
    },
  };
  return { ctx, verified, count, signal: tools.signal, bytes: () => bytesRead, stop: () => clearInterval(timer) };
}

/**
 * The engine's structural check over verified reads, then every object not read to its end by the engine is
 * read whole: afterwards each stored byte matched its manifest record. A structurally broken artifact is a
 * PermanentError (it stays broken); a network fault reading it is left to the retry policy.
 */
export async function verifyStored(
  store: BackupStore, engine: Engine<Target>, artifacts: ArtifactRecord[], counts: Counts, what: string, identities: Identity[] = [],
): Promise<{ checks: string[]; bytesRead: number }> {
  if (!canDecrypt(artifacts, identities)) return verifyCiphertext(store, artifacts);
  const reading = readingContext(store, artifacts, 'verifying', identities);
  try {
    await engine.validate(artifacts, counts, reading.ctx).catch((err: Error) => {
      if (err instanceof PermanentError || isTransient(err)) throw err;
      throw new PermanentError(`${what} failed its structural check: ${err.message}`, 'ValidationFailed');
    });
    for (const a of artifacts) {
      if (!reading.verified.has(a.key)) await verifyWhole(store, a, reading.signal, reading.count);
    }
    return { checks: [`${engine.type} structural check`, ...artifacts.map((a) => `size and sha256 of ${a.key}`)], bytesRead: reading.bytes() };
  } finally {
    reading.stop();
  }
}

/**
 * What a worker holding only recipients can check of an encrypted backup (it has no key, by design): every
 * stored byte against the manifest, and a whole age header with a stanza per recorded recipient.
 */
async function verifyCiphertext(store: BackupStore, artifacts: ArtifactRecord[]): Promise<{ checks: string[]; bytesRead: number }> {
  const reading = readingContext(store, artifacts, 'verifying');
  const checks = ['structural check skipped: the backup is encrypted and this worker holds no identity for it'];
  try {
    for (const a of artifacts) {
      const stored: ArtifactRecord = { ...a, compressed: false };
      delete stored.encryption;
      const head: Buffer[] = [];
      let kept = 0;
      for await (const chunk of (await readVerified(store, stored, reading.signal, reading.count)).stream as AsyncIterable<Buffer>) {
        if (kept < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - kept));
        kept += chunk.length;
      }
      checks.push(`size and sha256 of ${a.key}`);
      if (a.encryption) {
        checkCiphertextShape(a, Buffer.concat(head), a.sizeBytes);
        checks.push(`age header of ${a.key} (${a.encryption.recipients.length} recipient(s))`);
      }
    }
    return { checks, bytesRead: reading.bytes() };
  } finally {
    reading.stop();
  }
}
const HEAD_BYTES = 1 << 20;

export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; $metadata?: unknown; name?: string };
  return Boolean(e.$metadata) || /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|UND_ERR_.*)$/.test(e.code ?? '') || e.name === 'TimeoutError';
}
