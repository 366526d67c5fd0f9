/**
 * The Neo4j bench's graph and its baselines: seeding N nodes (5 mixed-type properties) and N relationships,
 * APOC's streamed JSON export (the export baseline), and an APOC-style Cypher script replayed statement by
 * statement (the restore baseline, as the Neo4j-to-R2 deployment restored: cypher-shell < restore.cypher).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import neo4j, { DateTime, isDateTime, isInt, type Driver } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import { cypher as run } from '../../test/support/neo4j-graph';

export { run };

export const openBenchDriver = (t: Neo4jTarget): Driver => neo4j.driver(t.uri, neo4j.auth.basic(t.user, t.password), { disableLosslessIntegers: false });

/**
 * Two labels (Person, Company:Org), each node with uid (string), age (int), score (float), at (datetime with an
 * offset), tags (list of strings); N KNOWS relationships with since (int) and w (float), to pseudo-random nodes.
 */
export async function seedGraph(t: Neo4jTarget, nodes: number): Promise<void> {
  await run(t, 'CREATE CONSTRAINT bench_uid IF NOT EXISTS FOR (p:Person) REQUIRE p.uid IS UNIQUE');
  await run(t, 'CREATE INDEX bench_org_uid IF NOT EXISTS FOR (c:Company) ON (c.uid)');
  await run(t, 'CREATE INDEX bench_i IF NOT EXISTS FOR (b:Bench) ON (b.i)');
  await run(t, `UNWIND range(0, $n - 1) AS i CALL (i) {
      WITH i, {uid: 'node-' + i, age: i % 97, score: i / 7.0, at: datetime({epochSeconds: 1700000000 + i, timezone: '+02:00'}), tags: ['t' + (i % 10), 'all']} AS p
      FOREACH (_ IN CASE WHEN i % 3 = 0 THEN [1] ELSE [] END | CREATE (c:Company:Org:Bench {i: i}) SET c += p)
      FOREACH (_ IN CASE WHEN i % 3 <> 0 THEN [1] ELSE [] END | CREATE (c:Person:Bench {i: i}) SET c += p)
    } IN TRANSACTIONS OF 10000 ROWS`, { n: neo4j.int(nodes) });
  await run(t, 'CALL db.awaitIndexes(300)');
  await run(t, `UNWIND range(0, $n - 1) AS i CALL (i) {
      MATCH (a:Bench {i: i}), (b:Bench {i: (i * 7919 + 1) % $n}) CREATE (a)-[:KNOWS {since: 2000 + i % 25, w: i * 0.5}]->(b)
    } IN TRANSACTIONS OF 10000 ROWS`, { n: neo4j.int(nodes) });
  // The helper property and index were only for seeding: the benchmark graph has exactly 5 properties per node.
  await run(t, 'MATCH (b:Bench) CALL (b) { REMOVE b:Bench, b.i } IN TRANSACTIONS OF 10000 ROWS');
  await run(t, 'DROP INDEX bench_i');
}

/** APOC's JSON export of the whole graph, streamed to this client as one string (its bytes are counted, then dropped). */
export async function apocJsonExport(t: Neo4jTarget): Promise<{ ms: number; bytes: number }> {
  const driver = openBenchDriver(t);
  try {
    const began = Date.now();
    const res = await driver.executeQuery('CALL apoc.export.json.all(null, {stream: true}) YIELD data RETURN data', {}, { database: t.database });
    const ms = Date.now() - began;
    const bytes = res.records.reduce((n, r) => n + Buffer.byteLength(String(r.get('data') ?? '')), 0);
    if (bytes === 0) throw new Error('apoc.export.json.all returned no data');
    return { ms, bytes };
  } finally {
    await driver.close();
  }
}

const IMPORT_LABEL = '`UNIQUE IMPORT LABEL`';
const IMPORT_ID = '`UNIQUE IMPORT ID`';

/** A Cypher literal, as APOC's cypher export writes one (datetimes as datetime('...'), lists inline). */
function literal(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'boolean') return String(v);
  if (isInt(v)) return v.toString();
  if (isDateTime(v)) return `datetime('${(v as DateTime).toString()}')`;
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  throw new Error(`the bench's script writer does not handle ${typeof v}`);
}

const props = (p: Record<string, unknown>, extra = ''): string =>
  `{${Object.entries(p).map(([k, v]) => `\`${k}\`: ${literal(v)}`).concat(extra ? [extra] : []).join(', ')}}`;

/**
 * Writes the graph as APOC's cypher export does without its UNWIND optimisation (useOptimizations: {type: 'NONE'}):
 * an import constraint, one CREATE per node carrying a unique import id, one MATCH ... CREATE per relationship,
 * then the clean-up. One statement per line. Returns the number of statements.
 */
export async function writeCypherScript(t: Neo4jTarget, file: string): Promise<number> {
  const out = createWriteStream(file);
  let statements = 0;
  const write = async (s: string) => {
    statements++;
    if (!out.write(`${s}\n`)) await once(out, 'drain');
  };
  const driver = openBenchDriver(t);
  try {
    const session = driver.session({ database: t.database, fetchSize: 5000 });
    try {
      await write(`CREATE CONSTRAINT uniqueimport IF NOT EXISTS FOR (n:${IMPORT_LABEL}) REQUIRE n.${IMPORT_ID} IS UNIQUE;`);
      for await (const r of session.run('MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS p')) {
        const labels = (r.get('labels') as string[]).map((l) => `:\`${l}\``).join('');
        await write(`CREATE (${labels}:${IMPORT_LABEL} ${props(r.get('p') as Record<string, unknown>, `${IMPORT_ID}: ${r.get('id')}`)});`);
      }
      for await (const r of session.run('MATCH (a)-[r]->(b) RETURN id(a) AS a, id(b) AS b, type(r) AS type, properties(r) AS p')) {
        await write(`MATCH (n1:${IMPORT_LABEL}{${IMPORT_ID}:${r.get('a')}}), (n2:${IMPORT_LABEL}{${IMPORT_ID}:${r.get('b')}}) `
          + `CREATE (n1)-[r:\`${r.get('type')}\` ${props(r.get('p') as Record<string, unknown>)}]->(n2);`);
      }
      await write(`MATCH (n:${IMPORT_LABEL}) CALL (n) { REMOVE n:${IMPORT_LABEL}, n.${IMPORT_ID} } IN TRANSACTIONS OF 10000 ROWS;`);
      await write('DROP CONSTRAINT uniqueimport;');
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
    out.end();
    await once(out, 'close');
  }
  return statements;
}

/**
 * Replays a script one statement per auto-commit transaction, as cypher-shell does with a file on its input.
 * `limit` stops after that many data statements (the rate is then extrapolated by the caller).
 */
export async function replayScript(t: Neo4jTarget, file: string, limit = Infinity): Promise<{ ms: number; statements: number }> {
  const driver = openBenchDriver(t);
  const session = driver.session({ database: t.database });
  let statements = 0;
  const began = Date.now();
  try {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      if (statements >= limit && !line.startsWith('DROP') && !line.includes('IN TRANSACTIONS')) continue;
      await session.run(line.replace(/;$/, ''));
      statements++;
    }
  } finally {
    await session.close();
    await driver.close();
  }
  return { ms: Date.now() - began, statements };
}

/** Nodes and relationships in a database. */
export async function graphTotals(t: Neo4jTarget): Promise<{ nodes: number; relationships: number }> {
  const [n] = await run(t, 'MATCH (n) RETURN count(n) AS c');
  const [r] = await run(t, 'MATCH ()-[r]->() RETURN count(r) AS c');
  return { nodes: n!.get('c').toNumber(), relationships: r!.get('c').toNumber() };
}
