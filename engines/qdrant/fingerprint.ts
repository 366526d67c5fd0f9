/**
 * Content fingerprints of Qdrant points: a hash of each point's vectors (dense, named, sparse, multi) and
 * payload in a canonical form, so the same point hashes the same on any server that returns it, whatever order
 * its JSON keys or sparse indices come in. Vector values are compared as the float32 Qdrant stores.
 */
import { createHash } from 'node:crypto';
import type { PointId, PointRecord } from './http';

/** One sampled point: its id and the hash of its content. */
export interface SampledPoint { id: PointId; hash: string }

/** A point id's stable text, distinguishing 7 from "7" and ignoring UUID case. */
export function idKey(id: PointId): string {
  return typeof id === 'number' ? `n:${id}` : `u:${id.toLowerCase()}`;
}

/** Where an id falls in the deterministic sample: the ids with the lowest ranks are kept. */
export function idRank(id: PointId): string {
  return createHash('sha256').update(idKey(id)).digest('hex');
}

export function pointHash(point: PointRecord): string {
  const text = canonicalJson({ vector: canonicalVectors(point.vector ?? null), payload: point.payload ?? {} });
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Vectors as one object by name ("" for the unnamed one). Dense vectors keep their order, multi-vectors the
 * order of their rows; sparse vectors become (index, value) pairs sorted by index.
 */
function canonicalVectors(vector: unknown): unknown {
  if (vector === null) return null;
  const named = Array.isArray(vector) ? { '': vector } : (vector as Record<string, unknown>);
  return Object.fromEntries(Object.entries(named).map(([name, v]) => [name, canonicalVector(v)]));
}

function canonicalVector(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? x.map(f32) : f32(x)));
  const sparse = v as { indices?: unknown; values?: unknown } | null;
  if (sparse && Array.isArray(sparse.indices) && Array.isArray(sparse.values)) {
    const pairs = sparse.indices.map((index, k) => [index, f32((sparse.values as unknown[])[k])] as const);
    return { sparse: pairs.sort((a, b) => Number(a[0]) - Number(b[0])) };
  }
  return v;
}

/** Qdrant prints float32 values in their shortest form; read back they round to the same float32. */
const f32 = (x: unknown) => (typeof x === 'number' ? Math.fround(x) : x);

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}

/** Keeps the `size` ids of lowest rank seen so far, in bounded memory, whatever the collection's size. */
export class LowestRanked {
  private readonly kept: { rank: string; id: PointId }[] = [];

  constructor(private readonly size: number) {}

  offer(id: PointId): void {
    // Ids beyond 2^53 do not survive JSON.parse exactly, so they could not be fetched back: never sampled.
    if (typeof id === 'number' && !Number.isSafeInteger(id)) return;
    const rank = idRank(id);
    if (this.kept.length === this.size && rank >= this.kept[this.size - 1].rank) return;
    let at = this.kept.findIndex((k) => rank < k.rank);
    if (at < 0) at = this.kept.length;
    this.kept.splice(at, 0, { rank, id });
    if (this.kept.length > this.size) this.kept.pop();
  }

  ids(): PointId[] {
    return this.kept.map((k) => k.id);
  }
}
