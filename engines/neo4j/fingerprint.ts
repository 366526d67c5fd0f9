/**
 * Order-independent, type-exact fingerprints of a graph (FORMAT.md, "Proof"). Each node and relationship is
 * written in one canonical text (sorted labels, sorted property keys, the export's typed value encoding), hashed
 * to 64 bits, and the hashes are summed mod 2^64: the sum is the same in whatever order a scan meets the
 * entities, and memory is a few numbers whatever the graph's size.
 *
 * Two sums per kind. `keyed` includes the export's node ids (and a relationship's endpoints as export ids), so
 * it pins the structure; it can only be taken where those ids are known: while exporting, and on a restored
 * database while its temporary ids are still on the nodes. `content` leaves ids out, so it can be taken on any
 * live database at any time, e.g. when a drill proves its restored copy.
 */
import * as crypto from 'node:crypto';

export const FINGERPRINT_ALGORITHM = 'cairn-neo4j-sha256-64-sum/1';

/** What a backup records as its proof, and what a restore reports back in the same shape. */
export type Neo4jProof = {
  algorithm: string;
  nodes: KindFingerprint;
  relationships: KindFingerprint;
  /** every constraint's and (non-LOOKUP, not constraint-owned) index's create statement, sorted */
  schema: string[];
};

export type KindFingerprint = {
  count: number;
  /** 16 hex digits: sum of the entities' 64-bit hashes with export ids, mod 2^64 */
  keyed: string;
  /** 16 hex digits: the same sum without ids */
  content: string;
};

// crypto.hash (Node 20.12+) is about twice as fast as createHash for texts this short; base64 output is the
// cheapest to produce (no Buffer per call, the shortest string) and its first 11 digits hold the 8 bytes summed.
const sha256Base64 = (text: string): string =>
  typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'base64') : crypto.createHash('sha256').update(text).digest('base64');

const B64 = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;

const TWO32 = 2 ** 32;

/**
 * A 64-bit sum mod 2^64 kept as two 32-bit halves in plain numbers: adding the first 8 bytes of a SHA-256 this way
 * allocates nothing, where a BigInt per hash cost a restore-sized export seconds of garbage collection.
 */
class Sum64 {
  private hi = 0;
  private lo = 0;

  /** Adds the first 8 bytes (big-endian) of a base64 digest: 6 bits per digit, 32 + 32 bits from 11 digits. */
  addBase64(b: string): void {
    const d = (i: number): number => B64[b.charCodeAt(i)];
    const hi = d(0) * 2 ** 26 + d(1) * 2 ** 20 + d(2) * 2 ** 14 + d(3) * 2 ** 8 + d(4) * 4 + (d(5) >> 4);
    const lo = this.lo + (d(5) & 15) * 2 ** 28 + d(6) * 2 ** 22 + d(7) * 2 ** 16 + d(8) * 2 ** 10 + d(9) * 16 + (d(10) >> 2);
    const carry = lo >= TWO32 ? 1 : 0;
    this.lo = lo - carry * TWO32;
    this.hi = (this.hi + hi + carry) % TWO32;
  }

  toHex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** A running sum for one kind (nodes or relationships). */
export class FingerprintSum {
  count = 0;
  private readonly keyed = new Sum64();
  private readonly content = new Sum64();

  add(keyedText: string | null, contentText: string): void {
    this.count++;
    if (keyedText !== null) this.keyed.addBase64(sha256Base64(keyedText));
    this.content.addBase64(sha256Base64(contentText));
  }

  toJSON(): KindFingerprint {
    return { count: this.count, keyed: this.keyed.toHex(), content: this.content.toHex() };
  }

  /** Only the content sum, for a scan that cannot know export ids. */
  contentOnly(): { count: number; content: string } {
    return { count: this.count, content: this.content.toHex() };
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A node's texts: its export line and its canonical forms, sharing one serialisation `p` of the properties (properties.ts). */
export function nodeTexts(id: string | null, labels: string[], p: string): { line: string; keyed: string; content: string } {
  const l = JSON.stringify(labels.length > 1 ? [...labels].sort(byCodeUnit) : labels);
  const i = JSON.stringify(id);
  return { line: `{"kind":"node","id":${i},"labels":${l},"props":${p}}\n`, keyed: `[${i},${l},${p}]`, content: `[${l},${p}]` };
}

/** A relationship's texts; its own id is in the line but in neither canonical form (a restore cannot keep it). */
export function relTexts(id: string | null, type: string, start: string | null, end: string | null, p: string) {
  const t = JSON.stringify(type);
  const [s, e] = [JSON.stringify(start), JSON.stringify(end)];
  return {
    line: `{"kind":"rel","id":${JSON.stringify(id)},"type":${t},"start":${s},"end":${e},"props":${p}}\n`,
    keyed: `[${t},${s},${e},${p}]`,
    content: `[${t},${p}]`,
  };
}

/** Sorted create statements: the schema's fingerprint is the list itself, short enough to show in a report. */
export const sortedStatements = (statements: string[]): string[] => [...statements].sort(byCodeUnit);
