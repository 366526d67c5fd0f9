/**
 * The Neo4j engine's backup, validation and restore failures against the real local instances
 * (stack/services/neo4j.sh): main (APOC) is the source, drill (no APOC) the restore target. This file
 * wipes both at its start; other files may use main afterwards. Tests run in order and each sets up
 * the data it needs. Successful restores and their proof: neo4j-restore.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PermanentError, type ArtifactRecord, type EngineBackupResult } from '../engines/engine';
import { neo4jEngine } from '../engines/neo4j';
import { readArtifact } from '../engines/neo4j/artifact';
import { decodeProps } from '../engines/neo4j/format';
import { FileArtifacts } from './support/file-artifacts';
import { canon, cypher, destinationFor, drillTarget, mainTarget, manifestOf, schemaOf, seed, snapshot, wipe } from './support/neo4j-graph';

const BULK = 4500; // > 2 restore batches, several export heartbeats
let sink: FileArtifacts;
let backup: EngineBackupResult;

before(async () => {
  sink = await FileArtifacts.create('neo4j-test');
  await Promise.all([wipe(mainTarget), wipe(drillTarget)]);
  await seed(mainTarget, BULK);
  backup = await neo4jEngine.backup(mainTarget, sink.backup);
});

after(() => sink.cleanup());

/** Restores a (possibly doctored) file into the drill instance, as the restore workflow would. */
function restoreFile(artifacts: ArtifactRecord[]) {
  const manifest = { ...manifestOf(backup), artifacts: artifacts.map((a) => ({ ...a, sidecarKey: `${a.key}.sha256` })) };
  return neo4jEngine.restore(destinationFor(manifest), manifest, sink.read, { replace: false });
}

/** Differences between two sorted lists, first few each way, for readable failures. */
function assertSameItems(found: string[], expected: string[], what: string): void {
  const [f, e] = [new Set(found), new Set(expected)];
  const missing = expected.filter((x) => !f.has(x)).slice(0, 3);
  const extra = found.filter((x) => !e.has(x)).slice(0, 3);
  assert.deepEqual({ missing, extra, count: found.length }, { missing: [], extra: [], count: expected.length }, what);
}

test('backup records exact counts, the server version and its consistency honestly', async () => {
  const total = 4 + BULK;
  assert.deepEqual(backup.counts.totals, { nodes: total, relationships: 4 + BULK - 1 });
  assert.deepEqual(backup.counts.nodes, { '': 1, Bulk: BULK, Employee: 1, Person: 2, 'Weird Label': 1, 'back`tick': 1 });
  assert.deepEqual(backup.counts.relationships, { KNOWS: 2, LINKED: 1, NEXT: BULK - 1, 'ODD TYPE': 1 });
  assert.deepEqual(await neo4jEngine.count(mainTarget), backup.counts);
  assert.match(backup.sourceVersion, /^5\.26\./);
  assert.equal(backup.consistency.isolation, 'read-committed');
  assert.equal(backup.consistency.writesDetected, false);
  assert.equal(backup.artifacts.length, 1);
  assert.match(backup.artifacts[0].key, /\.ndjson\.gz$/);
  assert.ok(sink.heartbeats.some((h) => h.phase === 'relationships'), 'export heartbeats while streaming');
  const first = JSON.parse(gunzipSync(await sink.storedBytes(backup.artifacts[0])).toString('utf8').split('\n')[0]);
  assert.deepEqual([first.kind, first.format, first.version, first.database], ['header', 'cairn-neo4j-ndjson', 1, 'neo4j']);
});

test('backup proof: fingerprints over every node and relationship, and the schema, stable across backups', async () => {
  const proof = backup.proof as { algorithm: string; nodes: Record<string, unknown>; relationships: Record<string, unknown>; schema: string[] };
  assert.equal(proof.algorithm, 'cairn-neo4j-sha256-64-sum/1');
  assert.equal(proof.nodes.count, backup.counts.totals.nodes);
  assert.equal(proof.relationships.count, backup.counts.totals.relationships);
  for (const sum of [proof.nodes.keyed, proof.nodes.content, proof.relationships.keyed, proof.relationships.content]) {
    assert.match(String(sum), /^[0-9a-f]{16}$/);
  }
  // schemaOf lists a constraint twice (its owned index shows the constraint's statement); the proof once.
  assert.deepEqual(proof.schema, [...new Set(await schemaOf(mainTarget))]);

  const again = await FileArtifacts.create('neo4j-again');
  try {
    assert.deepEqual((await neo4jEngine.backup(mainTarget, again.backup)).proof, proof, 'same graph, same fingerprints');
    await cypher(mainTarget, "MATCH (n:Bulk {i: 7}) SET n.i = 7.0");
    const changed = (await neo4jEngine.backup(mainTarget, again.backup)).proof as typeof proof;
    assert.notEqual(changed.nodes.content, proof.nodes.content, 'an INTEGER turned FLOAT of the same value changes the fingerprint');
    assert.deepEqual(changed.relationships, proof.relationships);
  } finally {
    await cypher(mainTarget, "MATCH (n:Bulk {i: 7.0}) SET n.i = 7");
    await again.cleanup();
  }
});

test('validate rejects a truncated artifact and counts that disagree', async () => {
  const [good] = backup.artifacts;
  const text = gunzipSync(await sink.storedBytes(good)).toString('utf8');
  const noTrailer = text.slice(0, text.lastIndexOf('{"kind":"trailer"'));
  const cut = await sink.storeRaw('no-trailer.ndjson.gz', gzipSync(noTrailer), true);
  await assert.rejects(neo4jEngine.validate([cut], backup.counts, sink.read), /ends without a trailer line .*truncated/);

  const midLine = await sink.storeRaw('mid-line.ndjson.gz', gzipSync(text.slice(0, Math.floor(text.length / 2))), true);
  await assert.rejects(neo4jEngine.validate([midLine], backup.counts, sink.read), /not valid JSON|truncated/);

  const stored = await sink.storedBytes(good);
  const halfGzip = await sink.storeRaw('half.ndjson.gz', stored.subarray(0, stored.length >> 1), true);
  await assert.rejects(neo4jEngine.validate([halfGzip], backup.counts, sink.read), /unexpected end of file|truncated/);

  const wrong = { ...backup.counts, nodes: { ...backup.counts.nodes, Person: 3 } };
  await assert.rejects(neo4jEngine.validate([good], wrong, sink.read), /nodes\.Person: expected 3, found 2/);
});

test('a restore that fails midway removes what it created, so a retry finds an empty database', async () => {
  await wipe(drillTarget);
  const text = gunzipSync(await sink.storedBytes(backup.artifacts[0])).toString('utf8');
  // A value no Neo4j type encodes to, placed after two full batches of nodes.
  const at = text.indexOf('{"kind":"rel"');
  const broken = text.slice(0, at) + '{"kind":"node","id":"x","labels":[],"props":{"p":{"$bogus":1}}}\n' + text.slice(at);
  const bad = await sink.storeRaw('broken.ndjson.gz', gzipSync(broken), true);
  await assert.rejects(restoreFile([bad]), /property "p": unknown value tag \$bogus/);
  assert.deepEqual((await neo4jEngine.count(drillTarget)).totals, { nodes: 0, relationships: 0 });
  assert.deepEqual(await schemaOf(drillTarget), [], 'the temporary constraint is gone too');
});

test('restore reports relationships whose nodes are missing from the backup instead of dropping them silently', async () => {
  await wipe(drillTarget);
  const text = gunzipSync(await sink.storedBytes(backup.artifacts[0])).toString('utf8');
  // What an online export can produce when a node is created after the node scan has passed it.
  const at = text.indexOf('{"kind":"trailer"');
  const dangling = '{"kind":"rel","id":"r","type":"LATE","start":"gone","end":"gone","props":{}}\n';
  const file = await sink.storeRaw('dangling.ndjson.gz', gzipSync(text.slice(0, at) + dangling + text.slice(at)), true);
  await assert.rejects(restoreFile([file]),
    (err: Error) => err instanceof PermanentError && /1 relationships reference nodes that are not in the backup/.test(err.message));
  assert.deepEqual((await neo4jEngine.count(drillTarget)).totals, backup.counts.totals, 'everything else was restored');
});

test('a cancelled backup stops streaming and releases its read transaction', async () => {
  const own = await FileArtifacts.create('neo4j-cancel');
  own.onHeartbeat = () => own.controller.abort();
  try {
    await assert.rejects(neo4jEngine.backup(mainTarget, own.backup), /cancelled/);
    const open = await cypher(mainTarget, "SHOW TRANSACTIONS YIELD metaData WHERE metaData.purpose = 'backup' RETURN count(*) AS n");
    assert.equal(open[0].get('n').toNumber(), 0);
  } finally {
    await own.cleanup();
  }
});

test('export from the instance without APOC is complete and type-faithful', async () => {
  await wipe(drillTarget);
  await seed(drillTarget, 10);
  const checks = await neo4jEngine.doctor(drillTarget);
  assert.match(checks.find((c) => c.check === 'neo4j APOC')?.detail ?? '', /APOC not installed/);

  const own = await FileArtifacts.create('neo4j-drill');
  try {
    const result = await neo4jEngine.backup(drillTarget, own.backup);
    assert.deepEqual(result.counts, await neo4jEngine.count(drillTarget));
    // Decode the file itself and compare with the live graph, value by value.
    const nodes: string[] = [];
    for await (const { line } of readArtifact(await own.read.open(result.artifacts[0]), 'drill')) {
      if (line.kind === 'node') nodes.push(`(${[...line.labels].sort().join(':')} ${canon(decodeProps(line.props))})`);
    }
    assertSameItems(nodes.sort(), (await snapshot(drillTarget)).nodes, 'exported nodes');
  } finally {
    await own.cleanup();
  }
});

test('doctor names a wrong password and a missing database; backup fails permanently without leaking the password', async () => {
  const ok = await neo4jEngine.doctor(mainTarget);
  assert.deepEqual(ok.filter((c) => !c.ok), []);
  assert.match(ok.find((c) => c.check === 'neo4j APOC')?.detail ?? '', /APOC 5\.26\.\d+ installed/);

  const secret = 'not-the-password-42';
  const bad = await neo4jEngine.doctor({ ...mainTarget, password: secret });
  const cred = bad.find((c) => c.check === 'neo4j credentials');
  assert.equal(cred?.ok, false);
  assert.match(cred?.detail ?? '', /authentication failed for user "neo4j"/);
  assert.ok(cred?.fix);
  assert.ok(!JSON.stringify(bad).includes(secret));

  await assert.rejects(neo4jEngine.backup({ ...mainTarget, password: secret }, sink.backup),
    (err: Error) => err instanceof PermanentError && /authentication failed/.test(err.message) && !err.message.includes(secret));

  const missing = await neo4jEngine.doctor({ ...mainTarget, database: 'nosuchdb' });
  assert.match(missing.find((c) => c.check === 'neo4j database' && !c.ok)?.detail ?? '', /"nosuchdb" does not exist/);
});
