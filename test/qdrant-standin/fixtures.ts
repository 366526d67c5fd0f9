/**
 * Collections for Qdrant restore tests, with every kind of vector Qdrant stores and payloads that are easy to
 * get wrong; and the helpers to read a collection back whole and to build the manifest a backup would have.
 */
import type { ArtifactRecord, EngineBackupResult } from '../../engines/engine';
import { MANIFEST_FORMAT, type Manifest } from '../../storage/format/manifest';
import type { QdrantUnderTest } from './harness';

export const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
export const vec = (i: number, n: number) => Array.from({ length: n }, (_, k) => ((i * 31 + k * 17) % 97) / 97 - 0.5);

/** Unnamed 4-d Cosine vectors, integer ids, varied payloads (some empty). */
export async function seedDense(q: QdrantUnderTest, name: string, n: number): Promise<void> {
  await q.call('PUT', `/collections/${name}`, { vectors: { size: 4, distance: 'Cosine' } });
  const points = Array.from({ length: n }, (_, j) => {
    const i = j + 1;
    const payload = i % 10 === 0 ? {} : {
      title: `doc ${i}`, n: i, ratio: i / 7, flag: i % 2 === 0, none: null, tags: ['a', `t${i % 5}`],
      nested: { level: i % 3, deep: { list: [1, 'two', null, { three: 3 }] } }, text: 'żółw 🐢 "quoted"\n',
    };
    return { id: i, vector: vec(i, 4), payload };
  });
  for (let k = 0; k < points.length; k += 100) await q.call('PUT', `/collections/${name}/points?wait=true`, { points: points.slice(k, k + 100) });
}

/** Named dense (Dot), multi-vector (max_sim) and sparse vectors, UUID ids; some points lack some vectors. */
export async function seedMixed(q: QdrantUnderTest, name: string, n: number): Promise<void> {
  await q.call('PUT', `/collections/${name}`, {
    vectors: { text: { size: 8, distance: 'Dot' }, colbert: { size: 3, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } },
    sparse_vectors: { keywords: {} },
  });
  const points = Array.from({ length: n }, (_, i) => {
    const vector: Record<string, unknown> = { text: vec(i, 8) };
    if (i % 3 !== 0) vector.colbert = Array.from({ length: 1 + (i % 4) }, (_, r) => vec(i + r, 3));
    // Indices deliberately unsorted: Qdrant sorts them, and the fingerprint must not care.
    if (i % 5 !== 0) vector.keywords = { indices: [i + 40, i % 7, 1000 + i], values: [0.5, i / 10, -1.25] };
    return { id: uuid(i + 1), vector, payload: { score: i * 1.5, label: i % 3 ? 'cat' : 'dog', big: 2 ** 40 + i, ids: [i, i + 1] } };
  });
  await q.call('PUT', `/collections/${name}/points?wait=true`, { points });
}

/** Every point with vectors and payload, in id order. */
export async function scrollAll(q: QdrantUnderTest, collection: string): Promise<unknown[]> {
  const points: unknown[] = [];
  let offset: unknown = null;
  do {
    const page: { points: unknown[]; next_page_offset: unknown } = await q.call('POST', `/collections/${collection}/points/scroll`, {
      limit: 64, offset, with_payload: true, with_vector: true,
    });
    points.push(...page.points);
    offset = page.next_page_offset;
  } while (offset !== null && offset !== undefined);
  return points;
}

/**
 * The manifest a backup cycle would write for this result, holding only the named collections (a real server
 * under test may hold other people's collections, which backup() saved too).
 */
export function manifestOf(result: EngineBackupResult, collections: string[]): Manifest {
  const keep = (a: ArtifactRecord) => a.meta?.kind !== 'qdrant-collection-snapshot' || collections.includes(String(a.meta?.collection));
  const artifacts = result.artifacts.filter(keep).map((a) => ({ ...a, sidecarKey: `${a.key}.sha256` }));
  const proof = result.proof as { collections: Record<string, unknown> } | undefined;
  return {
    format: MANIFEST_FORMAT, version: 2, backupId: 'qdrant_test_20261121_120000', type: 'qdrant', target: 'qdrant-under-test',
    workflowId: 'test', createdAt: new Date().toISOString(), sourceVersion: result.sourceVersion, consistency: result.consistency,
    counts: { points: Object.fromEntries(collections.map((c) => [c, result.counts.points[c]])) },
    proof: proof && { ...proof, collections: Object.fromEntries(collections.map((c) => [c, proof.collections[c]])) },
    artifacts, totalSizeBytes: artifacts.reduce((n, a) => n + a.sizeBytes, 0), checksum: '', setId: 'test',
    durations: { dumpMs: 0, validateMs: 0, totalMs: 0 }, validation: { checkedAt: new Date().toISOString(), checks: [] },
  };
}
