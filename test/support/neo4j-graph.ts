/**
 * Real-Neo4j helpers for engine tests: targets for the local main/drill instances, wiping, a seed
 * graph that carries every property type Neo4j stores, and a canonical snapshot for comparing two
 * databases. The canonical form is written independently of the engine's own encoder, so a type
 * the encoder loses cannot hide in a comparison that runs through that same encoder.
 */
import neo4j, { Date as NeoDate, DateTime, Duration, LocalDateTime, LocalTime, Point, Time, isInt } from 'neo4j-driver';
import type { Neo4jTarget, Target } from '../../config/types';
import type { Destination, EngineBackupResult } from '../../engines/engine';
import { neo4jEngine } from '../../engines/neo4j';
import { MANIFEST_FORMAT, type Manifest } from '../../storage/format/manifest';

const env = process.env;
const target = (name: string, port: string): Neo4jTarget => ({
  type: 'neo4j', name, uri: `bolt://127.0.0.1:${port}`, user: 'neo4j', password: env.NEO4J_PASSWORD ?? 'cairn-neo4j', database: 'neo4j',
});
export const mainTarget = target('neo4j-main', env.NEO4J_BOLT_PORT ?? '7687');
export const drillTarget = target('neo4j-drill', env.NEO4J_DRILL_BOLT_PORT ?? '7688');
/** main as a configured target whose drill instance is the stack's second one, as config gives it by default. */
export const sourceTarget: Neo4jTarget = {
  ...mainTarget, drill: { uri: drillTarget.uri, user: drillTarget.user, password: drillTarget.password, database: drillTarget.database },
};

/** A manifest for a backup taken in a test, as the backup workflow would write it. */
export function manifestOf(b: EngineBackupResult, source: Neo4jTarget = sourceTarget): Manifest {
  const totalSizeBytes = b.artifacts.reduce((s, a) => s + a.sizeBytes, 0);
  return {
    format: MANIFEST_FORMAT, version: 2, backupId: `neo4j_${source.name}_test`, type: 'neo4j', target: source.name, workflowId: 'test',
    createdAt: new Date().toISOString(), sourceVersion: b.sourceVersion, consistency: b.consistency, counts: b.counts, proof: b.proof,
    artifacts: b.artifacts.map((a) => ({ ...a, sidecarKey: `${a.key}.sha256` })), totalSizeBytes, checksum: b.artifacts[0]?.sha256 ?? '',
    durations: { dumpMs: 0, validateMs: 0, totalMs: 0 }, validation: { checkedAt: new Date().toISOString(), checks: [] },
  };
}

/** The destination a restore or drill of sourceTarget gets by default (its drill instance), or `into` a configured target. */
export function destinationFor(manifest: Manifest, opts: { into?: string; purpose?: 'restore' | 'drill'; targets?: Target[] } = {}): Destination<Neo4jTarget> {
  return neo4jEngine.destination({
    source: sourceTarget, manifest, into: opts.into, stamp: '20261121_120000', purpose: opts.purpose ?? 'restore', targets: opts.targets ?? [sourceTarget],
  });
}

export async function cypher(t: Neo4jTarget, query: string, params: Record<string, unknown> = {}) {
  const driver = neo4j.driver(t.uri, neo4j.auth.basic(t.user, t.password));
  try {
    const session = driver.session({ database: t.database });
    try {
      return (await session.run(query, params)).records;
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

/** Empties a database: data, constraints and every index except the built-in LOOKUP ones. */
export async function wipe(t: Neo4jTarget): Promise<void> {
  await cypher(t, 'MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  for (const r of await cypher(t, 'SHOW CONSTRAINTS YIELD name')) await cypher(t, `DROP CONSTRAINT \`${r.get('name')}\``);
  for (const r of await cypher(t, "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")) await cypher(t, `DROP INDEX \`${r.get('name')}\``);
}

const int = neo4j.int;
/** One value of every property type, with the edge cases JSON and JavaScript numbers get wrong. */
export const ALL_TYPES: Record<string, unknown> = {
  maxInt: int('9223372036854775807'), minInt: int('-9223372036854775808'), above2pow53: int('9007199254740993'), zeroInt: int(0),
  pi: Math.PI, nan: NaN, posInf: Infinity, negInf: -Infinity, negZero: -0, tiny: 5e-324, wholeFloat: 2.0,
  text: 'héllo wörld ✓ 日本語 🚀 "quoted" \\ back\nslash', emptyText: '', yes: true, no: false,
  bytes: new Int8Array([-128, -1, 0, 1, 127]), emptyBytes: new Int8Array([]),
  ints: [int(1), int('-9223372036854775808'), int('9223372036854775807')], floats: [1.5, NaN, -0, Infinity, -Infinity],
  texts: ['a', '', 'ü'], bools: [true, false], emptyList: [],
  date: new NeoDate(2024, 2, 29), oldDate: new NeoDate(1, 1, 1),
  time: new Time(23, 59, 59, 999_999_999, 5 * 3600 + 1800), localTime: new LocalTime(0, 0, 0, 1),
  localDateTime: new LocalDateTime(2024, 12, 31, 23, 59, 59, 999_999_999),
  zoned: new DateTime(2024, 7, 14, 12, 0, 0, 1, undefined, 'Europe/Paris'),
  // 02:30 happens twice in Paris that night; offset +01:00 picks the second one.
  zonedAmbiguous: new DateTime(2024, 10, 27, 2, 30, 0, 0, 3600, 'Europe/Paris'),
  offsetDateTime: new DateTime(2024, 1, 1, 10, 0, 0, 123_456_789, 5 * 3600 + 1800),
  duration: new Duration(14, 3, 3723, 500), bigDuration: new Duration(int(0), int(0), int('9007199254740993'), int(1)),
  negDuration: new Duration(-1, -2, -3, 0),
  cartesian: new Point(7203, 1.5, -2.5), cartesian3d: new Point(9157, 1, 2, 3),
  wgs84: new Point(4326, 2.35, 48.85), wgs843d: new Point(4979, 2.35, 48.85, 35.5),
  dates: [new NeoDate(2000, 1, 1), new NeoDate(2038, 1, 19)], times: [new Time(1, 2, 3, 4, -3600)],
  localTimes: [new LocalTime(12, 0, 0, 0)], localDateTimes: [new LocalDateTime(1970, 1, 1, 0, 0, 0, 0)],
  dateTimes: [new DateTime(2024, 1, 1, 0, 0, 0, 0, undefined, 'Asia/Kolkata'), new DateTime(2024, 1, 1, 0, 0, 0, 0, -7200)],
  durations: [new Duration(0, 0, 0, 1), new Duration(1, 0, 0, 0)], points: [new Point(4326, 0, 0), new Point(4326, -180, -90)],
  // Temporal texts the export parses (properties.ts): signed and 5-digit years, a trimmed fraction, offsets
  // with seconds, a zone id whose offset had seconds (local mean time), zone UTC and offset Z.
  farDates: [new NeoDate(-5, 3, 1), new NeoDate(12345, 12, 31)],
  farDateTime: new DateTime(-44, 3, 15, 12, 0, 0, 500_000_000, 3600 + 30),
  lmtDateTime: new DateTime(1890, 6, 1, 0, 0, 0, 0, undefined, 'Europe/Amsterdam'),
  utcZone: new DateTime(2024, 2, 29, 23, 59, 59, 10, 0, 'UTC'), zulu: new DateTime(2000, 1, 1, 0, 0, 0, 0, 0),
  secondsOffsetTime: new Time(0, 0, 0, 120_000, -(3600 + 59)), noonLocal: new LocalDateTime(-1, 1, 1, 12, 0, 0, 1_000),
};

/** The seed graph: labels in several combinations, every type on a node and a relationship, bulk rows spanning batches. */
export async function seed(t: Neo4jTarget, bulk: number): Promise<void> {
  await cypher(t, 'CREATE CONSTRAINT person_uid FOR (p:Person) REQUIRE p.uid IS UNIQUE');
  await cypher(t, 'CREATE INDEX bulk_i FOR (b:Bulk) ON (b.i)');
  await cypher(t, 'CREATE INDEX person_name_city FOR (p:Person) ON (p.name, p.city)');
  await cypher(t, 'CREATE INDEX knows_since FOR ()-[k:KNOWS]-() ON (k.since)');
  await cypher(t, 'CREATE TEXT INDEX person_name_text FOR (p:Person) ON (p.name)');
  await cypher(t, 'CREATE FULLTEXT INDEX person_bio FOR (p:Person|Employee) ON EACH [p.name, p.bio]');
  await cypher(t, `CREATE (a:Person:Employee {uid: 'all-types', name: 'Ada', bio: 'counts things'}) SET a += $props
    CREATE (b:Person {uid: 'b', name: 'Bob', city: 'Paris'})
    CREATE (u {uid: 'unlabelled'})
    CREATE (w:\`Weird Label\`:\`back\`\`tick\` {uid: 'weird'})
    CREATE (a)-[k:KNOWS {since: 2001}]->(b) SET k += $props
    CREATE (b)-[:KNOWS {since: 2002}]->(a)
    CREATE (a)-[:\`ODD TYPE\`]->(a)
    CREATE (u)-[:LINKED]->(w)`, { props: ALL_TYPES });
  await cypher(t, `UNWIND range(0, $n - 1) AS i CREATE (:Bulk {uid: 'bulk-' + i, i: i, f: i / 3.0})`, { n: int(bulk) });
  await cypher(t, `MATCH (x:Bulk) WITH x ORDER BY x.i WITH collect(x) AS xs
    UNWIND range(0, size(xs) - 2) AS i WITH xs[i] AS a, xs[i + 1] AS b CREATE (a)-[:NEXT {w: a.i * 0.5}]->(b)`);
}

/** A type-revealing rendering of any driver value: Integer vs float, -0, NaN, class names, every field. */
export function canon(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (isInt(v)) return `int(${v.toString()})`;
  if (typeof v === 'number') return `float(${Object.is(v, -0) ? '-0' : String(v)})`;
  if (typeof v === 'string') return `str(${JSON.stringify(v)})`;
  if (typeof v === 'boolean') return `bool(${v})`;
  if (v instanceof Int8Array) return `bytes(${Array.from(v).join(',')})`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `${o.constructor.name}{${Object.keys(o).sort().map((k) => `${k}:${canon(o[k])}`).join(',')}}`;
}

const nodeCanon = (labels: string[], props: unknown): string => `(${[...labels].sort().join(':')} ${canon(props)})`;

/** Every node and relationship of a database in canonical form, sorted; identity-free so two databases compare. */
export async function snapshot(t: Neo4jTarget): Promise<{ nodes: string[]; relationships: string[] }> {
  const nodes = (await cypher(t, 'MATCH (n) RETURN labels(n) AS l, properties(n) AS p'))
    .map((r) => nodeCanon(r.get('l'), r.get('p'))).sort();
  const relationships = (await cypher(t, `MATCH (a)-[r]->(b)
      RETURN labels(a) AS al, properties(a) AS ap, type(r) AS t, properties(r) AS rp, labels(b) AS bl, properties(b) AS bp`))
    .map((r) => `${nodeCanon(r.get('al'), r.get('ap'))}-[${r.get('t')} ${canon(r.get('rp'))}]->${nodeCanon(r.get('bl'), r.get('bp'))}`)
    .sort();
  return { nodes, relationships };
}

/** Constraint and (non-LOOKUP) index definitions; createStatement includes names and options. */
export async function schemaOf(t: Neo4jTarget): Promise<string[]> {
  const c = await cypher(t, 'SHOW CONSTRAINTS YIELD createStatement RETURN createStatement AS s');
  const i = await cypher(t, "SHOW INDEXES YIELD type, owningConstraint, createStatement WHERE type <> 'LOOKUP' RETURN createStatement AS s");
  return [...c, ...i].map((r) => r.get('s') as string).sort();
}
