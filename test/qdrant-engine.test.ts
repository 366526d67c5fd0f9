/**
 * Cairn's Qdrant engine end to end: backup, validate, restore, count and doctor against the Qdrant at
 * $QDRANT_URL, or against the stand-in when none is given. Tests run in order and share one backup.
 */
import { restoreInto } from './support/cycle';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ArtifactRecord, EngineBackupResult } from '../engines/engine';
import { PermanentError } from '../engines/engine';
import { qdrantEngine } from '../engines/qdrant';
import { SERVER_BEAT_MS } from '../engines/qdrant/liveness';
import { inspectTar } from '../engines/qdrant/tar-check';
import type { Handler } from './qdrant-standin/call';
import { qdrantUnderTest, standinUnderTest, type QdrantUnderTest } from './qdrant-standin/harness';
import { FileArtifacts } from './support/file-artifacts';
import { scrollAll as scrollAllOf } from './qdrant-standin/fixtures';

const prefix = `cairn_t_${randomUUID().slice(0, 8)}_`;
const DOCS = `${prefix}docs`; // unnamed 4-d Cosine vectors, integer ids
const IMAGES = `${prefix}images`; // named vectors (8-d Dot, 3-d Euclid), UUID ids
const ALIAS = `${prefix}current_docs`;

let q: QdrantUnderTest;
let sink: FileArtifacts;
let result: EngineBackupResult;
interface State { docs: unknown[]; images: unknown[]; aliases: unknown[] }
let seeded: State;

const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
const vec = (i: number, n: number) => Array.from({ length: n }, (_, k) => ((i * 31 + k * 17) % 97) / 97 - 0.5);

async function seed(): Promise<void> {
  await q.call('PUT', `/collections/${DOCS}`, { vectors: { size: 4, distance: 'Cosine' } });
  await q.call('PUT', `/collections/${IMAGES}`, { vectors: { text: { size: 8, distance: 'Dot' }, image: { size: 3, distance: 'Euclid' } } });
  const docs = Array.from({ length: 300 }, (_, j) => {
    const i = j + 1;
    const payload = i % 10 === 0 ? {} : {
      title: `doc ${i}`, n: i, ratio: i / 7, negative: -i, flag: i % 2 === 0, none: null, tags: ['a', `t${i % 5}`],
      nested: { level: i % 3, deep: { ok: true, list: [1, 'two', null, { three: 3 }] } }, empty: {}, emptyList: [], text: 'żółw 🐢 "quoted"\n',
    };
    return { id: i, vector: vec(i, 4), payload };
  });
  const images = Array.from({ length: 150 }, (_, i) => ({
    id: uuid(i + 1),
    // Some points carry only one of the named vectors.
    vector: i % 4 === 0 ? { text: vec(i, 8) } : { text: vec(i, 8), image: vec(i + 3, 3) },
    payload: { score: i * 1.5, label: i % 3 ? 'cat' : 'dog', big: 2 ** 40 + i, ids: [i, i + 1] },
  }));
  for (let k = 0; k < docs.length; k += 100) await q.call('PUT', `/collections/${DOCS}/points?wait=true`, { points: docs.slice(k, k + 100) });
  await q.call('PUT', `/collections/${IMAGES}/points?wait=true`, { points: images });
  await q.call('POST', '/collections/aliases', { actions: [{ create_alias: { alias_name: ALIAS, collection_name: DOCS } }] });
}

const scrollAll = (collection: string) => scrollAllOf(q, collection);

async function ourAliases(): Promise<unknown[]> {
  const { aliases } = await q.call<{ aliases: { alias_name: string }[] }>('GET', '/aliases');
  return aliases.filter((a) => a.alias_name.startsWith(prefix)).sort((a, b) => a.alias_name.localeCompare(b.alias_name));
}

async function readState(): Promise<State> {
  return { docs: await scrollAll(DOCS), images: await scrollAll(IMAGES), aliases: await ourAliases() };
}

/** Our artifacts only: a real server under test may hold other collections, which backup() also saved. */
const ours = (artifacts: ArtifactRecord[]) => artifacts.filter((a) => a.meta?.kind !== 'qdrant-collection-snapshot' || String(a.meta?.collection).startsWith(prefix));
const snapshotArtifact = (name: string) => result.artifacts.find((a) => a.meta?.collection === name)!;

before(async () => {
  q = await qdrantUnderTest();
  sink = await FileArtifacts.create('qdrant-engine');
  await seed();
  seeded = await readState();
});

after(async () => {
  for (const c of [DOCS, IMAGES]) await q.fetch('DELETE', `/collections/${c}`);
  await q.stop();
  await sink.cleanup();
});

test('backup streams one snapshot per collection plus aliases and params, and leaves no snapshot behind', async () => {
  result = await qdrantEngine.backup(q.target, sink.backup);
  assert.equal(result.counts.points[DOCS], 300);
  assert.equal(result.counts.points[IMAGES], 150);
  assert.match(result.sourceVersion, /^\d+\.\d+/);
  for (const name of [DOCS, IMAGES]) {
    const a = snapshotArtifact(name);
    assert.equal(a.compressed, false);
    assert.ok(a.sizeBytes > 1024, `${name} snapshot has content`);
    if (a.meta!.qdrantChecksum) assert.equal(a.sha256, a.meta!.qdrantChecksum, 'stored bytes hash as Qdrant said');
    assert.match(String(a.meta!.snapshotName), new RegExp(`^${name}-\\d+-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d\\.snapshot$`));
    const left = await q.call<{ name: string }[]>('GET', `/collections/${name}/snapshots`);
    assert.deepEqual(left.filter((s) => s.name === a.meta!.snapshotName), [], `snapshot of ${name} deleted from the server`);
  }
  assert.ok(result.artifacts.some((a) => a.meta?.kind === 'qdrant-aliases'));
  assert.ok(result.artifacts.some((a) => a.meta?.kind === 'qdrant-collections'));
  assert.ok(sink.heartbeats.length >= 4, 'heartbeats between steps');
  if (q.target.apiKey) assert.doesNotMatch(JSON.stringify(sink.logs) + JSON.stringify(result), new RegExp(q.target.apiKey), 'API key never logged');
});

test('validate accepts the stored backup', async () => {
  await qdrantEngine.validate(result.artifacts, result.counts, sink.read);
});

test('restore after dropping the originals brings back every id, vector, payload and alias', async () => {
  await q.call('POST', '/collections/aliases', { actions: [{ delete_alias: { alias_name: ALIAS } }] });
  for (const c of [DOCS, IMAGES]) await q.call('DELETE', `/collections/${c}`);
  await restoreInto(qdrantEngine, q.target, ours(result.artifacts), sink.read);
  const restored = await readState();
  assert.deepEqual(restored.docs, seeded.docs);
  assert.deepEqual(restored.images, seeded.images);
  assert.deepEqual(restored.aliases, seeded.aliases);
  assert.equal(seeded.docs.length, 300);
  assert.equal(seeded.aliases.length, 1);
  const counts = await qdrantEngine.count(q.target);
  assert.equal(counts.points[DOCS], 300);
  assert.equal(counts.points[IMAGES], 150);
});

test('restore refuses a collection that already exists and changes nothing', async () => {
  await assert.rejects(restoreInto(qdrantEngine, q.target, ours(result.artifacts), sink.read), (err: Error) => {
    assert.ok(err instanceof PermanentError);
    assert.match(err.message, new RegExp(`collection "${prefix}\\w+" already exists`));
    return true;
  });
  assert.deepEqual(await scrollAll(DOCS), seeded.docs);
});

async function variant(name: string, edit: (bytes: Buffer) => Buffer, meta: Record<string, unknown> = {}): Promise<ArtifactRecord[]> {
  const original = snapshotArtifact(DOCS);
  const key = path.join(sink.dir, name);
  await fs.writeFile(key, edit(await fs.readFile(original.key)));
  return result.artifacts.map((a) => (a === original ? { ...a, key, meta: { ...a.meta, ...meta } } : a));
}

test('validate fails on a truncated snapshot', async () => {
  for (const cut of [700, 512]) {
    const artifacts = await variant(`truncated-${cut}.snapshot`, (b) => b.subarray(0, b.length - cut));
    await assert.rejects(qdrantEngine.validate(artifacts, result.counts, sink.read), /is not a whole tar archive: tar archive truncated/);
  }
});

test('validate fails on a checksum mismatch', async () => {
  const wrong = await variant('same-bytes.snapshot', (b) => b, { qdrantChecksum: '0'.repeat(64) });
  await assert.rejects(qdrantEngine.validate(wrong, result.counts, sink.read), /checksum mismatch: read back SHA-256 \w+, Qdrant reported 0{64}/);
  const original = snapshotArtifact(DOCS);
  const badRecord = result.artifacts.map((a) => (a === original ? { ...a, sha256: 'f'.repeat(64) } : a));
  await assert.rejects(qdrantEngine.validate(badRecord, result.counts, sink.read), /checksum mismatch: read back SHA-256 \w+, recorded at backup f{64}/);
});

const hasTar = (() => { try { execFileSync('tar', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

test('the tar check reads GNU and pax archives (Qdrant writes GNU headers, long names included) and finds truncation', { skip: hasTar ? false : 'no tar binary' }, async () => {
  const dir = path.join(sink.dir, 'tar-src');
  const deep = path.join(dir, 'segments', 'x'.repeat(120));
  await fs.mkdir(deep, { recursive: true });
  await fs.writeFile(path.join(deep, `${'y'.repeat(90)}.bin`), Buffer.alloc(70_000, 7));
  for (const format of ['gnu', 'pax']) {
    const file = path.join(sink.dir, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', dir, '.']);
    const bytes = await fs.readFile(file);
    const summary = await inspectTar(Readable.from([bytes]));
    assert.equal(summary.entries, 4, `${format}: ., segments/, the long-named dir and file`);
    assert.equal(summary.bytes, bytes.length);
    await assert.rejects(inspectTar(Readable.from([bytes.subarray(0, 40_000)])), /truncated inside entry/);
  }
});

test('doctor reports a reachable server, its version and collections', async () => {
  const checks = await qdrantEngine.doctor(q.target);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  assert.ok(checks.some((c) => c.check === 'qdrant version' && /\d+\.\d+/.test(c.detail)));
  assert.ok(checks.some((c) => c.check === 'qdrant collections' && c.detail.includes(DOCS)));
});

test('doctor names a rejected API key and how to fix it', async (t) => {
  if (!q.target.apiKey) return t.skip('the Qdrant under test has no API key to reject');
  const checks = await qdrantEngine.doctor({ ...q.target, apiKey: 'definitely-wrong' });
  const failed = checks.find((c) => !c.ok);
  assert.equal(failed?.check, 'qdrant api key');
  assert.match(failed!.detail, /API key rejected/);
  assert.match(failed!.fix ?? '', /apiKey/);
  assert.doesNotMatch(JSON.stringify(checks), /definitely-wrong/);
});

test('backup skips a collection dropped after it was listed, instead of failing', async () => {
  let listings = 0;
  // A local stand-in whose first listing still shows a collection that is gone by the time it is read.
  const racing = await standinUnderTest({ handlers: { get_collections: async () => ({ result: { collections: listings++ ? [] : [{ name: 'dropped_meanwhile' }] } }) } });
  try {
    const local = await FileArtifacts.create('qdrant-race');
    const raced = await qdrantEngine.backup(racing.target, local.backup);
    assert.deepEqual(raced.counts, { points: {} });
    assert.ok(local.logs.some((l) => /dropped while the backup ran/.test(l.message) && l.fields?.collection === 'dropped_meanwhile'));
    await local.cleanup();
  } finally {
    await racing.stop();
  }
});

test('snapshots are downloaded uncompressed: Qdrant would otherwise gzip them on the fly, at many times the cost', async () => {
  const asked: unknown[] = [];
  const recording = await standinUnderTest({
    around: { get_snapshot: (original) => async (call) => { asked.push(call.req.headers['accept-encoding']); return original(call); } },
  });
  const local = await FileArtifacts.create('qdrant-encoding');
  try {
    await recording.call('PUT', '/collections/plain', { vectors: { size: 2, distance: 'Dot' } });
    await qdrantEngine.backup(recording.target, local.backup);
    assert.deepEqual(asked, ['identity']);
  } finally {
    await local.cleanup();
    await recording.stop();
  }
});

test('long server-side steps (taking a snapshot, loading an upload) keep heartbeating while the server answers', async () => {
  const slow = (original: Handler): Handler => async (call) => {
    await new Promise((resolve) => setTimeout(resolve, 2 * SERVER_BEAT_MS + 1_000));
    return original(call);
  };
  const busy = await standinUnderTest({ around: { create_snapshot: slow, recover_from_uploaded_snapshot: slow } });
  const local = await FileArtifacts.create('qdrant-busy');
  try {
    await busy.call('PUT', '/collections/big', { vectors: { size: 2, distance: 'Dot' } });
    await busy.call('PUT', '/collections/big/points?wait=true', { points: [{ id: 1, vector: [1, 2], payload: {} }] });
    const backedUp = await qdrantEngine.backup(busy.target, local.backup);
    assert.ok(local.heartbeats.filter((h) => h.collection === 'big' && h.step === 'snapshot').length >= 3, 'beats while the snapshot is taken');
    await busy.call('DELETE', '/collections/big');
    await restoreInto(qdrantEngine, busy.target, backedUp.artifacts, local.read);
    assert.ok(local.heartbeats.filter((h) => h.collection === 'big' && h.loading === true).length >= 2, 'beats while the upload is loaded');
    assert.ok(local.heartbeats.some((h) => h.collection === 'big' && h.step === 'upload' && typeof h.bytes === 'number'), 'beats as bytes flow');
  } finally {
    await local.cleanup();
    await busy.stop();
  }
});

test('the stand-in never broke the spec and saw no risky request', async () => {
  assert.deepEqual(await q.journal(), { violations: [], pitfalls: [] });
});
