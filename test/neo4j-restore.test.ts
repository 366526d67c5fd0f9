/**
 * Neo4j restores and their proof on the real local instances: main is the source, the drill instance the
 * default destination. Wipes both at its start. Tests run in order; each says what state it starts from.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isDateTime, isInt, isPoint } from 'neo4j-driver';
import { PermanentError, type EngineBackupResult, type ProofReport } from '../engines/engine';
import { neo4jEngine } from '../engines/neo4j';
import type { Manifest } from '../storage/format/manifest';
import { FileArtifacts } from './support/file-artifacts';
import { cypher, destinationFor, drillTarget, mainTarget, manifestOf, schemaOf, seed, snapshot, sourceTarget, wipe } from './support/neo4j-graph';

let sink: FileArtifacts;
let backup: EngineBackupResult;
let manifest: Manifest;

before(async () => {
  sink = await FileArtifacts.create('neo4j-restore');
  await Promise.all([wipe(mainTarget), wipe(drillTarget)]);
  await seed(mainTarget, 2500);
  backup = await neo4jEngine.backup(mainTarget, sink.backup);
  manifest = manifestOf(backup);
});

after(() => sink.cleanup());

const failed = (r: ProofReport) => r.checks.filter((c) => !c.ok);
const notEmpty = (err: Error) => err instanceof PermanentError && /is not empty \(1 nodes, 0 relationships/.test(err.message);

test('restore into the drill instance: the same graph by an independent comparison, and every proof check passes', async () => {
  const dest = destinationFor(manifest);
  assert.deepEqual(await neo4jEngine.inspect(dest), { empty: true, detail: 'empty: no nodes, relationships, constraints or indexes' });
  const outcome = await neo4jEngine.restore(dest, manifest, sink.read, { replace: false });
  assert.deepEqual(outcome.proof, backup.proof, 'the fingerprints taken on the destination equal the backup\'s');

  const [source, restored] = await Promise.all([snapshot(mainTarget), snapshot(drillTarget)]);
  assert.deepEqual(restored, source);
  assert.deepEqual(await schemaOf(drillTarget), await schemaOf(mainTarget));
  assert.deepEqual(await cypher(drillTarget, 'MATCH (n:`__CairnRestore`) RETURN n'), [], 'no temporary label left');
  assert.deepEqual(await cypher(drillTarget, 'MATCH (n) WHERE n.__cairnId IS NOT NULL RETURN n'), [], 'no temporary id left');

  const report = await neo4jEngine.prove(dest, manifest, outcome, sink.read);
  assert.deepEqual(failed(report), []);
  assert.deepEqual(report.checks.map((c) => c.check), [
    'node counts per label', 'relationship counts per type', 'total counts',
    'nodes: content and identity as restored', 'relationships: content and endpoints as restored',
    'nodes: content now', 'relationships: content now', 'schema',
  ]);
  assert.deepEqual(report.notes, []);

  // Spot checks straight from the driver, so neither comparison can be vacuous.
  const p = (await cypher(drillTarget, "MATCH (n {uid: 'all-types'}) RETURN properties(n) AS p"))[0].get('p');
  assert.ok(isInt(p.maxInt) && p.maxInt.toString() === '9223372036854775807');
  assert.ok(Object.is(p.negZero, -0) && Number.isNaN(p.nan) && p.negInf === -Infinity);
  assert.equal(typeof p.wholeFloat, 'number', '2.0 stays a FLOAT');
  assert.deepEqual(Array.from(p.bytes as Int8Array), [-128, -1, 0, 1, 127]);
  assert.ok(isDateTime(p.zoned) && p.zoned.timeZoneId === 'Europe/Paris' && p.zoned.nanosecond.toString() === '1');
  assert.equal(p.zonedAmbiguous.timeZoneOffsetSeconds.toString(), '3600', 'the second 02:30 of the DST change');
  assert.ok(isPoint(p.wgs843d) && p.wgs843d.srid.toString() === '4979' && p.wgs843d.z === 35.5);
  const text = await cypher(drillTarget, "CALL db.index.fulltext.queryNodes('person_bio', 'counts') YIELD node RETURN node.uid AS uid");
  assert.deepEqual(text.map((r) => r.get('uid')), ['all-types'], 'the fulltext index works after restore');

  const inspected = await neo4jEngine.inspect(dest);
  assert.equal(inspected.empty, false);
  assert.match(inspected.detail, /^2504 nodes, 2503 relationships, 1 constraints \(person_uid\), 5 indexes/);
});

test('prove fails the check a change on the restored copy breaks, type changes included, and passes again once undone', async () => {
  const dest = destinationFor(manifest);
  const outcome = { notes: [], proof: backup.proof };
  const failing = async () => failed(await neo4jEngine.prove(dest, manifest, outcome, sink.read)).map((c) => c.check);

  await cypher(drillTarget, "MATCH (n {uid: 'b'}) SET n.city = 'Lyon'");
  assert.deepEqual(await failing(), ['nodes: content now']);
  await cypher(drillTarget, "MATCH (n {uid: 'b'}) SET n.city = 'Paris'");
  await cypher(drillTarget, "MATCH (:Bulk {i: 3})-[r:NEXT]->() SET r.w = toInteger(r.w)");
  assert.deepEqual(await failing(), ['relationships: content now'], '1.5 -> 1 on one relationship');
  await cypher(drillTarget, "MATCH (:Bulk {i: 3})-[r:NEXT]->() SET r.w = 1.5");
  await cypher(drillTarget, "MATCH (n:Bulk {i: 5}) SET n.i = 5.0");
  assert.deepEqual(await failing(), ['nodes: content now'], 'INTEGER 5 -> FLOAT 5.0, same value');
  await cypher(drillTarget, "MATCH (n:Bulk {i: 5}) SET n.i = 5");
  await cypher(drillTarget, 'DROP INDEX bulk_i');
  const schema = (await neo4jEngine.prove(dest, manifest, outcome, sink.read)).checks.find((c) => c.check === 'schema');
  assert.equal(schema?.ok, false);
  assert.match(schema?.found ?? '', /missing: CREATE RANGE INDEX `bulk_i`/);
  await cypher(drillTarget, 'CREATE INDEX bulk_i FOR (b:Bulk) ON (b.i)');
  await cypher(drillTarget, 'CALL db.awaitIndexes(60)');
  assert.deepEqual(await failing(), []);

  const wrongRestore = { notes: [], proof: { ...backup.proof, nodes: { ...(backup.proof!.nodes as object), keyed: '0000000000000000' } } };
  const keyed = failed(await neo4jEngine.prove(dest, manifest, wrongRestore, sink.read));
  assert.deepEqual(keyed.map((c) => c.check), ['nodes: content and identity as restored']);
  assert.match(keyed[0].found!, /^2504 entities, sum 0{16}$/);
});

test('the keyed fingerprints catch a restore that rewires the graph while every value and count stays the same', async () => {
  // What a faulty restore could produce: two nodes swap identities, one relationship ends at another node.
  const lines = gunzipSync(await sink.storedBytes(backup.artifacts[0])).toString('utf8').split('\n');
  const at = (pred: (l: Record<string, unknown>) => boolean) => lines.findIndex((t) => t.startsWith('{"kind":"node"') || t.startsWith('{"kind":"rel"') ? pred(JSON.parse(t)) : false);
  const uid = (u: string) => (l: Record<string, unknown>) => (l.props as Record<string, unknown>)?.uid === u;
  const [a, b, c] = [at(uid('bulk-10')), at(uid('bulk-20')), at(uid('bulk-30'))].map((i) => JSON.parse(lines[i]));
  [a.id, b.id] = [b.id, a.id];
  lines[at(uid('bulk-10'))] = JSON.stringify(a);
  lines[at(uid('bulk-20'))] = JSON.stringify(b);
  const r = at((l) => l.type === 'NEXT' && l.start === c.id);
  lines[r] = JSON.stringify({ ...JSON.parse(lines[r]), end: a.id });
  const doctored = await sink.storeRaw('rewired.ndjson.gz', gzipSync(lines.join('\n')), true);
  const m: Manifest = { ...manifest, artifacts: [{ ...doctored, sidecarKey: `${doctored.key}.sha256` }] };

  const dest = destinationFor(m);
  const outcome = await neo4jEngine.restore(dest, m, sink.read, { replace: true });
  assert.deepEqual(failed(await neo4jEngine.prove(dest, m, outcome, sink.read)).map((x) => x.check),
    ['nodes: content and identity as restored', 'relationships: content and endpoints as restored']);
});

test('smoke checks pass on the restored copy; query() returns one value as text and refuses anything else', async () => {
  const dest = destinationFor(manifest, { purpose: 'drill' });
  const smoke = await neo4jEngine.smoke(dest);
  assert.deepEqual(smoke.map((c) => [c.check, c.ok]), [['neo4j answers', true], ['neo4j database online', true], ['neo4j nodes readable', true]]);
  assert.match(smoke[2].detail, /read one node of each of 5 labels/);

  assert.equal(await neo4jEngine.query(dest, { query: 'MATCH (n:Person) RETURN count(n)' }), '2');
  assert.equal(await neo4jEngine.query(dest, { query: "MATCH (n {uid: 'all-types'}) RETURN n.maxInt" }), '9223372036854775807');
  assert.equal(await neo4jEngine.query(dest, { query: "MATCH (n {uid: 'b'}) RETURN n.name" }), 'Bob');
  const refused = (pattern: RegExp) => (err: Error) => err instanceof PermanentError && pattern.test(err.message);
  await assert.rejects(neo4jEngine.query(dest, { query: 'MATCH (n:Person) RETURN n.uid' }), refused(/returned 2 rows of 1 columns; it must return exactly one row/));
  await assert.rejects(neo4jEngine.query(dest, { query: 'RETURN 1, 2' }), refused(/1 rows of 2 columns/));
  await assert.rejects(neo4jEngine.query(dest, { query: 'RETURN nonsense(' }), refused(/drill check query failed/));
  await assert.rejects(neo4jEngine.query(dest, { query: 'CREATE (n:Intruder) RETURN count(n)' }), refused(/drill check query failed/));
  await assert.rejects(neo4jEngine.query(dest, { collection: 'x' }), refused(/takes a Cypher `query`, not a `collection`/));
  await assert.rejects(neo4jEngine.query(dest, {}), refused(/needs a Cypher `query`/));
  assert.deepEqual(await cypher(drillTarget, 'MATCH (n:Intruder) RETURN n'), [], 'a drill check cannot write');
});

test('a non-empty destination is refused and left as it was, unless replace', async () => {
  await wipe(drillTarget);
  await cypher(drillTarget, "CREATE (:Existing {uid: 'keep'})");
  const dest = destinationFor(manifest);
  await assert.rejects(neo4jEngine.restore(dest, manifest, sink.read, { replace: false }), notEmpty);
  assert.deepEqual((await neo4jEngine.count(drillTarget)).nodes, { Existing: 1 });

  await cypher(drillTarget, 'CREATE INDEX existing_uid FOR (n:Existing) ON (n.uid)');
  const outcome = await neo4jEngine.restore(dest, manifest, sink.read, { replace: true });
  assert.match(outcome.notes.join('\n'), /replaced the previous contents of .*\(1 nodes, 0 relationships, 0 constraints, 1 indexes \(existing_uid\)\)/);
  assert.deepEqual(failed(await neo4jEngine.prove(dest, manifest, outcome, sink.read)), []);
  assert.deepEqual(await snapshot(drillTarget), await snapshot(mainTarget));
  assert.deepEqual(await schemaOf(drillTarget), await schemaOf(mainTarget), 'the old index is gone');
});

test('a retried restore clears what an interrupted one left, and proceeds', async () => {
  await wipe(drillTarget);
  await cypher(drillTarget, 'CREATE CONSTRAINT cairn_restore_id FOR (n:`__CairnRestore`) REQUIRE n.`__cairnId` IS UNIQUE');
  await cypher(drillTarget, "UNWIND range(1, 3) AS i CREATE (:`__CairnRestore`:Bulk {`__cairnId`: 'x' + i})");
  const dest = destinationFor(manifest);
  const inspected = await neo4jEngine.inspect(dest);
  assert.equal(inspected.empty, true, 'no one\'s data: a retried restore needs no --force');
  assert.match(inspected.detail, /holds only what an interrupted Cairn restore left \(3 nodes, .*3 of the nodes were left/);
  const outcome = await neo4jEngine.restore(dest, manifest, sink.read, { replace: false });
  assert.match(outcome.notes.join('\n'), /cleared 3 nodes an interrupted Cairn restore had left/);
  assert.deepEqual(failed(await neo4jEngine.prove(dest, manifest, outcome, sink.read)), []);
});

test('restoring into the source target itself needs replace, and then brings back the same graph', async () => {
  const dest = destinationFor(manifest, { into: sourceTarget.name });
  assert.equal(dest.created, false);
  const before = await snapshot(mainTarget);
  await assert.rejects(neo4jEngine.restore(dest, manifest, sink.read, { replace: false }),
    (err: Error) => err instanceof PermanentError && /backup's own target "neo4j-main" .* would overwrite it/.test(err.message));
  const outcome = await neo4jEngine.restore(dest, manifest, sink.read, { replace: true });
  assert.deepEqual(failed(await neo4jEngine.prove(dest, manifest, outcome, sink.read)), []);
  assert.deepEqual(await snapshot(mainTarget), before);
});

test('drop empties a destination Cairn created, again without harm, and refuses one it did not', async () => {
  const drill = destinationFor(manifest, { purpose: 'drill' });
  assert.equal((await neo4jEngine.inspect(drill)).empty, false);
  await neo4jEngine.drop(drill);
  assert.deepEqual(await neo4jEngine.inspect(drill), { empty: true, detail: 'empty: no nodes, relationships, constraints or indexes' });
  await neo4jEngine.drop(drill);

  const configured = destinationFor(manifest, { into: sourceTarget.name });
  await assert.rejects(neo4jEngine.drop(configured), (err: Error) => err instanceof PermanentError && /refusing to empty .*Cairn did not create it/.test(err.message));
  assert.equal((await neo4jEngine.count(mainTarget)).totals.nodes, backup.counts.totals.nodes, 'the configured target is untouched');
});

test('a backup without fingerprints (manifest version 1) is proven by counts, and says so; writes during export are noted', async () => {
  const dest = destinationFor(manifest);
  const outcome = await neo4jEngine.restore(dest, manifest, sink.read, { replace: true });
  const v1: Manifest = { ...manifest, version: 1, proof: undefined, consistency: { ...manifest.consistency, writesDetected: true } };
  const report = await neo4jEngine.prove(dest, v1, outcome, sink.read);
  assert.deepEqual(report.checks.map((c) => [c.check, c.ok]), [['node counts per label', true], ['relationship counts per type', true], ['total counts', true]]);
  assert.match(report.notes.join('\n'), /recorded no fingerprints \(manifest version 1\): only counts were compared/);
  assert.match(report.notes.join('\n'), /written to while it was exported/);

  await cypher(drillTarget, "MATCH (n {uid: 'weird'}) DETACH DELETE n");
  const counts = failed(await neo4jEngine.prove(dest, v1, outcome, sink.read));
  assert.deepEqual(counts.map((c) => c.found), ['nodes.Weird Label: expected 1, found 0; nodes.back`tick: expected 1, found 0',
    'relationships.LINKED: expected 1, found 0', 'totals.nodes: expected 2504, found 2503; totals.relationships: expected 2503, found 2502']);
});
