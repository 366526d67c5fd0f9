/**
 * Neo4j masking on the real drill instance (where restores of a Neo4j target go): properties hashed, removed or
 * replaced in batches, other labels untouched, a retried apply changes nothing, finish() removes the temporary
 * marks, bad rules fail naming the rule before changing anything, and production is recognised. Uses labels of
 * its own (never wipes the shared instance); the restore workflow around masking is tested with PostgreSQL
 * (mask-restore.test.ts), the same code path.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { PropertyRule } from '../config/masking';
import { neo4jEngine } from '../engines/neo4j';
import { cypher, destinationFor, drillTarget, mainTarget, sourceTarget } from './support/neo4j-graph';

const tag = randomUUID().slice(0, 8);
const USER = `MaskUser_${tag}`;
const OTHER = `MaskOther_${tag}`;
const NODES = 12_000;
const dest = destinationFor(undefined as never);
const quiet = { heartbeat: () => undefined, signal: new AbortController().signal, log: () => undefined };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

after(async () => {
  await cypher(drillTarget, `MATCH (n) WHERE n:${USER} OR n:${OTHER} CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`);
});

const rules: PropertyRule[] = [
  { at: 'masking.graph[0]', label: USER, property: 'token', with: 'hash' },
  { at: 'masking.graph[1]', label: USER, property: 'apiKey', with: 'null' },
  { at: 'masking.graph[2]', label: USER, property: 'email', with: { value: '***' } },
];

test('masking a Neo4j copy: hash, null and a fixed value in batches; a retry changes nothing; finish removes the marks', { timeout: 300_000 }, async () => {
  await cypher(drillTarget, `UNWIND range(1, ${NODES}) AS i CREATE (:${USER} {i: i, token: 'tok-' + (i % 10), apiKey: CASE WHEN i % 4 = 0 THEN null ELSE 'key-' + i END, email: 'u' + i + '@x.org'})`);
  await cypher(drillTarget, `CREATE (:${OTHER} {token: 'tok-1', apiKey: 'other-key'})`);

  const first = await neo4jEngine.masking!.apply(dest, rules, quiet);
  assert.deepEqual(first, [
    { rule: 'masking.graph[0]', field: `${USER}.token`, with: 'hash', changed: NODES },
    { rule: 'masking.graph[1]', field: `${USER}.apiKey`, with: 'null', changed: NODES - NODES / 4 },
    { rule: 'masking.graph[2]', field: `${USER}.email`, with: "value '***'", changed: NODES },
  ]);
  const state = async () => (await cypher(drillTarget, `MATCH (n:${USER}) RETURN n.i AS i, n.token AS token, n.apiKey AS apiKey, n.email AS email ORDER BY i`))
    .map((r) => ({ i: Number(r.get('i')), token: r.get('token'), apiKey: r.get('apiKey'), email: r.get('email') }));
  const masked = await state();
  assert.ok(masked.every((n) => n.token === sha256(`tok-${n.i % 10}`)), 'each token is the hex SHA-256 of its value (equal values stay equal)');
  assert.ok(masked.every((n) => n.apiKey === null && n.email === '***'));
  const [other] = await cypher(drillTarget, `MATCH (n:${OTHER}) RETURN n.token AS token, n.apiKey AS apiKey`);
  assert.deepEqual([other!.get('token'), other!.get('apiKey')], ['tok-1', 'other-key'], 'another label is untouched');

  // An attempt whose reply was lost is retried before finish(): every node is already marked, so nothing is hashed twice.
  assert.deepEqual(await neo4jEngine.masking!.apply(dest, rules, quiet), first);
  assert.deepEqual(await state(), masked);

  await neo4jEngine.masking!.finish(dest, rules, quiet);
  await neo4jEngine.masking!.finish(dest, rules, quiet);
  const [marks] = await cypher(drillTarget, `MATCH (n:${USER}) UNWIND keys(n) AS k WITH k WHERE k STARTS WITH '__cairn' RETURN count(k) AS n`);
  assert.equal(Number(marks!.get('n')), 0, 'no temporary mark is left');
  assert.deepEqual(await state(), masked);
});

test('a Neo4j rule the copy cannot honour fails naming it, before changing anything; production is recognised', async () => {
  const fails = async (rule: PropertyRule, error: RegExp) => {
    const before = await cypher(drillTarget, `MATCH (n:${USER}) RETURN sum(n.i) AS s, collect(DISTINCT n.email) AS e`);
    await assert.rejects(neo4jEngine.masking!.apply(dest, [rule], quiet), error);
    const afterwards = await cypher(drillTarget, `MATCH (n:${USER}) RETURN sum(n.i) AS s, collect(DISTINCT n.email) AS e`);
    assert.deepEqual(afterwards.map((r) => r.toObject()), before.map((r) => r.toObject()));
  };
  await cypher(drillTarget, `MERGE (:${USER} {i: 0, email: 'kept'})`);
  await fails({ at: 'masking.graph[0]', label: `Nope_${tag}`, property: 'token', with: 'hash' }, new RegExp(`masking rule masking\\.graph\\[0\\] \\(Nope_${tag}\\.token, with hash\\): there is no label Nope_${tag}`));
  await fails({ at: 'masking.graph[1]', label: USER, property: `nope_${tag}`, with: 'null' }, /masking rule masking\.graph\[1\] .*no node or relationship in the restored graph has a property/);
  await fails({ at: 'masking.graph[2]', label: USER, property: 'i', with: 'hash' }, /masking rule masking\.graph\[2\] .*node\(s\) hold a non-string value there \(INTEGER NOT NULL\), and hash applies to strings/);

  assert.equal(neo4jEngine.masking!.production(dest, [sourceTarget]), undefined, 'the drill instance is not production');
  const inPlace = destinationFor(undefined as never, { into: sourceTarget.name });
  assert.equal(neo4jEngine.masking!.production(inPlace, [sourceTarget]), sourceTarget.name, 'restoring into the source is production');
  const spelledOtherwise = { ...mainTarget, name: 'other', uri: mainTarget.uri.replace('127.0.0.1', 'localhost') };
  assert.equal(neo4jEngine.masking!.production(inPlace, [spelledOtherwise]), 'other', 'whatever the URI spelling of the same server');
});
