/**
 * The proof a Qdrant backup records per collection, for prove() to check a restore against: the vector
 * configuration, the exact point count, and a deterministic sample of points with a hash of each.
 * Qdrant cannot read a collection at the instant of its snapshot, so count and sample are taken just before
 * and just after it: only when both agree do they describe what the snapshot holds ("exact").
 */
import { LowestRanked, pointHash, idKey, type SampledPoint } from './fingerprint';
import type { CollectionInfo, PointId, QdrantApi } from './http';

export const PROOF_FORMAT = 'cairn-qdrant-proof/1';

export interface CollectionProof {
  vectors: unknown;
  sparseVectors: unknown;
  /** exact count just after the snapshot */
  points: number;
  /** count and sampled points were the same before and after the snapshot */
  exact: boolean;
  /** the points whose id hashes lowest (up to the proof's sampleSize), with their content hash */
  sample: SampledPoint[];
  /** why the proof is not exact */
  note?: string;
}

export interface QdrantProof {
  format: typeof PROOF_FORMAT;
  sampleSize: number;
  collections: Record<string, CollectionProof>;
}

const SCROLL_PAGE = 5000;

/**
 * Up to 64 points per collection, fewer when a backup holds many collections: the proof travels through
 * Temporal with the backup's result, where payloads are limited to about 2 MB (~50 bytes per sampled point).
 */
export function sampleSizeFor(collections: number): number {
  return Math.max(8, Math.min(64, Math.floor(4096 / Math.max(1, collections))));
}

/** The vector configuration a proof compares: dense (with multivector settings) and sparse. */
export function vectorConfig(info: CollectionInfo): { vectors: unknown; sparseVectors: unknown } {
  return { vectors: info.config.params.vectors ?? null, sparseVectors: info.config.params.sparse_vectors ?? null };
}

export interface Reading { count: number; hashes: Map<string, SampledPoint> }

/** Before the snapshot: scans every id (bounded memory) to choose the sample, then fetches and hashes it. */
export async function firstReading(api: QdrantApi, collection: string, size: number, beat: (ids: number) => void): Promise<Reading> {
  const count = await api.exactCount(collection);
  const lowest = new LowestRanked(size);
  let offset: PointId | null = null;
  let seen = 0;
  do {
    const page: { ids: PointId[]; next: PointId | null } = await api.scrollIds(collection, offset, SCROLL_PAGE);
    for (const id of page.ids) lowest.offer(id);
    seen += page.ids.length;
    beat(seen);
    offset = page.next;
  } while (offset !== null);
  return { count, hashes: await hashPoints(api, collection, lowest.ids()) };
}

/** After the snapshot: the same ids again. */
export async function secondReading(api: QdrantApi, collection: string, first: Reading): Promise<Reading> {
  const count = await api.exactCount(collection);
  return { count, hashes: await hashPoints(api, collection, [...first.hashes.values()].map((p) => p.id)) };
}

export async function hashPoints(api: QdrantApi, collection: string, ids: PointId[]): Promise<Map<string, SampledPoint>> {
  const found = new Map<string, SampledPoint>();
  if (ids.length === 0) return found;
  for (const point of await api.retrieve(collection, ids)) found.set(idKey(point.id), { id: point.id, hash: pointHash(point) });
  return found;
}

export function collectionProof(info: CollectionInfo, before: Reading, after: Reading): CollectionProof {
  const changed = [...before.hashes].filter(([key, p]) => after.hashes.get(key)?.hash !== p.hash).map(([, p]) => p.id);
  const exact = before.count === after.count && changed.length === 0 && before.hashes.size === after.hashes.size;
  const proof: CollectionProof = { ...vectorConfig(info), points: after.count, exact, sample: exact ? [...after.hashes.values()] : [] };
  if (!exact) {
    proof.note = `written to during its backup (${before.count} points before the snapshot, ${after.count} after`
      + `${changed.length ? `; sampled points ${changed.slice(0, 5).join(', ')} changed` : ''}): `
      + 'the snapshot\'s exact content is unknown, so its count and points cannot be proven after a restore';
  }
  return proof;
}
