/** The backup cycle for Qdrant through Temporal: a snapshot per collection plus aliases, verified, recorded, cleaned off the server. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ObjectStore } from '../storage/s3';
import { testConfig, withWorker } from './support/stack';
import { historyRows, readManifest, runCycle } from './support/cycle';
import { qdrantUnderTest, type QdrantUnderTest } from './qdrant-standin/harness';

let q: QdrantUnderTest;
const created: string[] = [];
before(async () => { q = await qdrantUnderTest(); });
after(async () => {
  // The Qdrant under test may be the stack's shared real server: leave nothing behind there.
  for (const c of created) await q.fetch('DELETE', `/collections/${c}`);
  await q.stop();
});

test('a Qdrant target is backed up as one verified snapshot per collection plus its aliases', async () => {
  const c1 = `cycle_${randomUUID().slice(0, 8)}_a`;
  const c2 = `cycle_${randomUUID().slice(0, 8)}_b`;
  created.push(c1, c2);
  await q.call('PUT', `/collections/${c1}`, { vectors: { size: 3, distance: 'Cosine' } });
  await q.call('PUT', `/collections/${c2}`, { vectors: { size: 2, distance: 'Euclid' } });
  await q.call('PUT', `/collections/${c1}/points?wait=true`, { points: Array.from({ length: 120 }, (_, i) => ({ id: i + 1, vector: [i, 1, -i], payload: { i } })) });
  await q.call('PUT', `/collections/${c2}/points?wait=true`, { points: [{ id: 7, vector: [0.5, 0.25], payload: { tag: 'x' } }] });
  await q.call('POST', '/collections/aliases', { actions: [{ create_alias: { alias_name: `${c1}_live`, collection_name: c1 } }] });

  const config = testConfig('qdrant-cycle', { CAIRN_TARGET_TYPES: 'qdrant', QDRANT_URL: q.target.url, QDRANT_API_KEY: q.target.apiKey ?? '' });
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, false, run.error);
  const [result] = run.results;
  assert.match(result!.backupId!, /^qdrant_qdrant_\d{8}_\d{6}$/);

  const manifest = await readManifest(config, result!.manifestKey!);
  assert.equal(manifest.counts.points![c1], 120);
  assert.equal(manifest.counts.points![c2], 1);
  const snapshots = manifest.artifacts.filter((a) => a.key.endsWith('.snapshot'));
  assert.ok(snapshots.some((a) => a.part === c1) && snapshots.some((a) => a.part === c2));
  for (const a of snapshots) {
    const meta = a.meta as { qdrantChecksum: string | null };
    if (meta.qdrantChecksum) assert.equal(a.sha256, meta.qdrantChecksum, 'stored bytes match Qdrant\'s own checksum');
  }
  const store = new ObjectStore(config.storage);
  for (const a of manifest.artifacts) {
    assert.equal(await store.size(a.key), a.sizeBytes);
    assert.equal((await store.getText(a.sidecarKey)).split('  ')[0], a.sha256);
  }
  const aliases = manifest.artifacts.find((a) => (a.meta as { kind?: string })?.kind === 'qdrant-aliases')!;
  assert.match(await store.getText(aliases.key), new RegExp(`${c1}_live`));
  store.destroy();

  // Snapshots are deleted from Qdrant's disk once they are safely in the bucket.
  for (const c of [c1, c2]) assert.deepEqual(await q.call('GET', `/collections/${c}/snapshots`), []);
  const [row] = await historyRows(config, run.workflowId);
  assert.equal(row.status, 'success');
  assert.equal(row.manifest_key, result!.manifestKey);
  assert.equal(Number(row.size_bytes), manifest.totalSizeBytes);
  assert.deepEqual((await q.journal()).violations, []);
});
