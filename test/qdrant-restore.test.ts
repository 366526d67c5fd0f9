/**
 * Qdrant restore end to end, against the real Qdrant when the stack runs it (or $QDRANT_URL), else the
 * stand-in: backup with proof, restore into new names, prove, refuse, replace, in place with aliases, drop,
 * clean-up after a failure. Tests run in order and share one backup.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PermanentError, type Destination, type EngineBackupResult, type ProofReport } from '../engines/engine';
import { qdrantEngine } from '../engines/qdrant';
import { idRank } from '../engines/qdrant/fingerprint';
import type { QdrantProof } from '../engines/qdrant/proof';
import type { QdrantTarget } from '../config/types';
import type { Manifest } from '../storage/format/manifest';
import { qdrantUnderTest, standinUnderTest, type QdrantUnderTest } from './qdrant-standin/harness';
import { manifestOf, scrollAll, seedDense, seedMixed } from './qdrant-standin/fixtures';
import { FileArtifacts } from './support/file-artifacts';

const prefix = `cairn_r_${randomUUID().slice(0, 8)}_`;
const DENSE = `${prefix}dense`;
const MIXED = `${prefix}mixed`;
const ALIAS = `${prefix}live`;
const OURS = [DENSE, MIXED];

let q: QdrantUnderTest;
let sink: FileArtifacts;
let result: EngineBackupResult;
let manifest: Manifest;
let seeded: Record<string, unknown[]>;
let dest: Destination<QdrantTarget>;

const destinationFor = (over: { into?: string; stamp?: string } = {}) => qdrantEngine.destination({
  source: q.target, manifest, stamp: over.stamp ?? '20261121_101500', purpose: 'restore', targets: [q.target], into: over.into,
});
const failed = (report: ProofReport) => report.checks.filter((c) => !c.ok);
const exists = async (name: string) => (await q.call<{ collections: { name: string }[] }>('GET', '/collections')).collections.some((c) => c.name === name);

before(async () => {
  q = await qdrantUnderTest();
  sink = await FileArtifacts.create('qdrant-restore');
  await seedDense(q, DENSE, 250);
  await seedMixed(q, MIXED, 90);
  await q.call('POST', '/collections/aliases', { actions: [{ create_alias: { alias_name: ALIAS, collection_name: DENSE } }] });
  seeded = { [DENSE]: await scrollAll(q, DENSE), [MIXED]: await scrollAll(q, MIXED) };
});

after(async () => {
  const { collections } = await q.call<{ collections: { name: string }[] }>('GET', '/collections');
  for (const c of collections.filter((x) => x.name.startsWith(prefix))) await q.fetch('DELETE', `/collections/${c.name}`);
  await q.stop();
  await sink.cleanup();
});

test('backup records a proof per collection: vector config, exact count, a deterministic sample', async (t) => {
  t.diagnostic(`against ${q.real ? 'a real Qdrant' : 'the stand-in'} at ${q.target.url}`);
  result = await qdrantEngine.backup(q.target, sink.backup);
  manifest = manifestOf(result, OURS);
  const proof = result.proof as unknown as QdrantProof;
  assert.equal(proof.format, 'cairn-qdrant-proof/1');
  for (const [name, n] of [[DENSE, 250], [MIXED, 90]] as const) {
    const p = proof.collections[name];
    assert.equal(p.exact, true, p.note);
    assert.equal(p.points, n);
    const info = await q.call<{ config: { params: { vectors: unknown; sparse_vectors?: unknown } } }>('GET', `/collections/${name}`);
    assert.deepEqual({ vectors: p.vectors, sparse: p.sparseVectors }, { vectors: info.config.params.vectors, sparse: info.config.params.sparse_vectors ?? null });
    // The sample is the ids of lowest rank, whatever order the server lists them in.
    const ids = (seeded[name] as { id: string | number }[]).map((x) => x.id).sort((a, b) => (idRank(a) < idRank(b) ? -1 : 1));
    assert.deepEqual(p.sample.map((s) => s.id).sort(), ids.slice(0, proof.sampleSize).sort());
    assert.equal(new Set(p.sample.map((s) => s.hash)).size, p.sample.length, 'distinct points hash differently');
  }
  assert.deepEqual(proof.collections[MIXED].sparseVectors, { keywords: {} });
});

test('restore into new names brings back every vector kind and payload, leaves the originals alone, and prove() passes', async () => {
  dest = destinationFor();
  assert.deepEqual(await qdrantEngine.inspect(dest), { empty: true, detail: `none of the collections ${Object.values(dest.rename).join(', ')} exist on ${dest.label}` });
  const outcome = await qdrantEngine.restore(dest, manifest, sink.read, { replace: false });
  for (const name of OURS) assert.deepEqual(await scrollAll(q, dest.rename[name]), seeded[name], `${name} restored as ${dest.rename[name]}`);
  for (const name of OURS) assert.deepEqual(await scrollAll(q, name), seeded[name], `original ${name} untouched`);
  for (const name of OURS) assert.deepEqual(await q.call('GET', `/collections/${dest.rename[name]}/snapshots`), [], 'no uploaded snapshot left on the server');
  assert.match(outcome.notes.join('\n'), new RegExp(`aliases ${ALIAS} not recreated`));
  const { aliases } = await q.call<{ aliases: { alias_name: string; collection_name: string }[] }>('GET', '/aliases');
  assert.deepEqual(aliases.filter((a) => a.alias_name.startsWith(prefix)), [{ alias_name: ALIAS, collection_name: DENSE }]);

  const report = await qdrantEngine.prove(dest, manifest, outcome, sink.read);
  assert.deepEqual(failed(report), []);
  assert.deepEqual(report.notes, []);
  assert.deepEqual(report.checks.map((c) => c.check).sort(), OURS.flatMap((n) => [`point count of ${dest.rename[n]}`, `sampled points of ${dest.rename[n]}`, `vector config of ${dest.rename[n]}`]).sort());
  assert.deepEqual(failed({ checks: await qdrantEngine.smoke(dest), notes: [] } as unknown as ProofReport), []);
  assert.equal(await qdrantEngine.query(dest, { collection: MIXED }), '90');
  await assert.rejects(qdrantEngine.query(dest, { collection: 'nope' }), /drill check collection "nope" is not in the backup/);
});

test('a point changed or deleted after the restore makes prove() fail and name it', async () => {
  const proof = manifest.proof as unknown as QdrantProof;
  const [victim, gone] = proof.collections[MIXED].sample;
  const restored = dest.rename[MIXED];
  const [point] = await q.call<{ id: string; vector: unknown; payload: Record<string, unknown> }[]>('POST', `/collections/${restored}/points`, { ids: [victim.id], with_payload: true, with_vector: true });
  await q.call('PUT', `/collections/${restored}/points?wait=true`, { points: [{ id: point.id, vector: point.vector, payload: { ...point.payload, score: -1 } }] });
  const report = await qdrantEngine.prove(dest, manifest, { notes: [] }, sink.read);
  const sampled = failed(report);
  assert.equal(sampled.length, 1);
  assert.equal(sampled[0].check, `sampled points of ${restored}`);
  assert.equal(sampled[0].found, `1 differ: ${JSON.stringify(victim.id)} (changed)`);

  await q.call('POST', `/collections/${restored}/points/delete?wait=true`, { points: [gone.id] });
  const after = failed(await qdrantEngine.prove(dest, manifest, { notes: [] }, sink.read));
  assert.deepEqual(after[0], { check: `point count of ${restored}`, ok: false, expected: '90', found: '89' });
  assert.match(after[1].found!, new RegExp(`^2 differ: .*"${gone.id}" \\(missing\\)`));
});

test('an existing destination is refused without replace, and left as it was', async () => {
  const inspected = await qdrantEngine.inspect(dest);
  assert.equal(inspected.empty, false);
  assert.match(inspected.detail, new RegExp(`${dest.rename[DENSE]} \\(250 points\\)`));
  const before = await scrollAll(q, dest.rename[MIXED]);
  await assert.rejects(qdrantEngine.restore(dest, manifest, sink.read, { replace: false }), (err: Error) => {
    assert.ok(err instanceof PermanentError);
    assert.equal(err.kind, 'QdrantCollectionExists');
    assert.match(err.message, /collection "cairn_r_\w+_restore_20261121_101500" already exists on qdrant .*; restore into a new name, or replace it/);
    return true;
  });
  assert.deepEqual(await scrollAll(q, dest.rename[MIXED]), before);
});

test('replace restores over existing collections, and prove() passes again', async () => {
  const outcome = await qdrantEngine.restore(dest, manifest, sink.read, { replace: true });
  assert.match(outcome.notes.join('\n'), new RegExp(`collection ${dest.rename[MIXED]} replaced \\(it held \\d+ points\\)`));
  assert.deepEqual(failed(await qdrantEngine.prove(dest, manifest, outcome, sink.read)), []);
  assert.deepEqual(await scrollAll(q, dest.rename[MIXED]), seeded[MIXED]);
});

test('a failed restore deletes the collections it created and says so', async () => {
  const broken = { ...manifest, artifacts: manifest.artifacts.map((a) => (a.meta?.collection === MIXED ? { ...a, meta: { ...a.meta, qdrantChecksum: '0'.repeat(64) } } : a)) };
  const failing = destinationFor({ stamp: '20261121_111111' });
  const first = failing.rename[broken.artifacts.find((a) => a.meta?.kind === 'qdrant-collection-snapshot')!.meta!.collection as string];
  await assert.rejects(qdrantEngine.restore(failing, broken, sink.read, { replace: false }), (err: Error) => {
    assert.match(err.message, new RegExp(`restoring collection ${MIXED} as ${failing.rename[MIXED]} .* failed: .*HTTP 400`));
    assert.match(err.message, /the collection\(s\) it created were deleted/);
    return true;
  });
  assert.equal(await exists(first), false, 'the collection restored before the failure is gone');
  assert.equal(await exists(failing.rename[MIXED]), false);
});

test('in place (into {collection}) recreates the aliases, and prove() checks them', async () => {
  for (const name of OURS) await q.call('DELETE', `/collections/${name}`);
  const inPlace = destinationFor({ into: '{collection}' });
  assert.equal(inPlace.created, false);
  const outcome = await qdrantEngine.restore(inPlace, manifest, sink.read, { replace: false });
  for (const name of OURS) assert.deepEqual(await scrollAll(q, name), seeded[name]);
  const report = await qdrantEngine.prove(inPlace, manifest, outcome, sink.read);
  assert.deepEqual(failed(report), []);
  const aliases = report.checks.find((c) => c.check === 'aliases of the restored collections');
  assert.equal(aliases?.found, `${ALIAS} -> ${DENSE}`);
  await assert.rejects(qdrantEngine.drop(inPlace), (err: Error) => err instanceof PermanentError && err.kind === 'QdrantNotCreated');
  for (const name of OURS) assert.equal(await exists(name), true, `${name} not dropped`);
});

test('drop deletes the collections the restore created, and again is no error', async () => {
  await qdrantEngine.drop(dest);
  for (const name of Object.values(dest.rename)) assert.equal(await exists(name), false);
  await qdrantEngine.drop(dest);
  assert.equal((await qdrantEngine.inspect(dest)).empty, true);
});

test('a manifest without proof (version 1) is proven by counts only, with a note', async () => {
  const v1 = { ...manifest, version: 1, proof: undefined } as unknown as Manifest;
  const report = await qdrantEngine.prove(destinationFor({ into: '{collection}' }), v1, { notes: [] }, sink.read);
  assert.deepEqual(report.checks.filter((c) => c.check.startsWith('point count')).map((c) => [c.check, c.ok]), OURS.map((n) => [`point count of ${n}`, true]));
  assert.equal(report.checks.some((c) => c.check.startsWith('sampled points')), false);
  assert.match(report.notes.join(), /records no content proof \(manifest version 1\): only point counts were compared/);
});

test('a proof that was not exact at backup is a note in prove(), never a pass', async () => {
  const proof = manifest.proof as unknown as QdrantProof;
  const note = 'written to during its backup (90 points before the snapshot, 91 after)';
  const inexact = { ...manifest, proof: { ...proof, collections: { ...proof.collections, [MIXED]: { ...proof.collections[MIXED], exact: false, sample: [], note } } } };
  const report = await qdrantEngine.prove(destinationFor({ into: '{collection}' }), inexact as unknown as Manifest, { notes: [] }, sink.read);
  assert.deepEqual(report.notes, [`collection ${MIXED}: ${note}`]);
  assert.equal(report.checks.some((c) => c.check.endsWith(`of ${MIXED}`) && c.check !== `vector config of ${MIXED}`), false);
});

test('a collection written to while its snapshot is taken gets an honest proof: not exact, and why', async () => {
  // A local stand-in that takes a write right after the snapshot, between the two readings of the proof.
  const writes = (url: string, key: string) => fetch(`${url}/collections/raced/points?wait=true`, {
    method: 'PUT', headers: { 'content-type': 'application/json', 'api-key': key },
    body: JSON.stringify({ points: [{ id: 1, vector: [9, 9], payload: { changed: true } }, { id: 6, vector: [1, 1], payload: {} }] }),
  });
  let url = '';
  const racing = await standinUnderTest({
    apiKey: 'race-key',
    around: { create_snapshot: (original) => async (call) => { const reply = await original(call); await writes(url, 'race-key'); return reply; } },
  });
  url = racing.target.url;
  const local = await FileArtifacts.create('qdrant-written');
  try {
    await racing.call('PUT', '/collections/raced', { vectors: { size: 2, distance: 'Euclid' } });
    await racing.call('PUT', '/collections/raced/points?wait=true', { points: [1, 2, 3, 4, 5].map((id) => ({ id, vector: [id, 0], payload: { id } })) });
    const raced = (await qdrantEngine.backup(racing.target, local.backup)).proof as unknown as QdrantProof;
    assert.equal(raced.collections.raced.exact, false);
    assert.deepEqual(raced.collections.raced.sample, []);
    assert.match(raced.collections.raced.note!, /^written to during its backup \(5 points before the snapshot, 6 after; sampled points 1 changed\)/);
    assert.ok(local.logs.some((l) => /written to during its backup/.test(l.message) && l.fields?.collection === 'raced'));
  } finally {
    await local.cleanup();
    await racing.stop();
  }
});

test('the stand-in never broke the spec and saw no risky request', async () => {
  assert.deepEqual(await q.journal(), { violations: [], pitfalls: [] });
});
