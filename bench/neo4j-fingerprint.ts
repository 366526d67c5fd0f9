/**
 * Benchmark: what the backup-time proof (FORMAT.md, "Proof") costs a Neo4j export.
 *
 *   npm run build && node dist/bench/neo4j-fingerprint.js [--nodes 100000] [--rounds 3] [--keep]
 *
 * WIPES the local stack's main Neo4j instance (NEO4J_BOLT_PORT, 7687) and seeds it with N nodes and N relationships
 * carrying strings, integers, floats, datetimes, lists and booleans; then exports it alternately with the proof
 * turned off and on, each time through gzip into nothing (as storage would receive it), and prints wall time and
 * this process's CPU time per round and their medians. Neo4j runs on the same machine, so wall time includes
 * the server's share; CPU time is the client's alone, where the hashing happens.
 */
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import { createGzip } from 'node:zlib';
import type { Neo4jTarget } from '../config/types';
import type { ArtifactSpec, BackupContext } from '../engines/engine';
import { exportGraph } from '../engines/neo4j/export';
import { cypher, mainTarget, wipe } from '../test/support/neo4j-graph';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false } } });
const nodes = Number(values.nodes);
const rounds = Number(values.rounds);

async function seed(t: Neo4jTarget, n: number): Promise<void> {
  await wipe(t);
  await cypher(t, 'CREATE INDEX bench_i FOR (b:Bench) ON (b.i)');
  await cypher(t, `UNWIND range(0, $n - 1) AS i CALL (i) {
      CREATE (:Bench:Item {uid: 'item-' + i, i: i, f: i / 7.0, at: datetime({epochSeconds: 1700000000 + i}), tags: ['a', 'b' + (i % 10)], on: i % 2 = 0})
    } IN TRANSACTIONS OF 10000 ROWS`, { n: neo4j.int(n) });
  await cypher(t, 'CALL db.awaitIndexes(300)');
  await cypher(t, `UNWIND range(0, $n - 1) AS i CALL (i) {
      MATCH (a:Bench {i: i}), (b:Bench {i: (i * 7919 + 1) % $n}) CREATE (a)-[:LINKS {w: i * 0.5, since: 2000 + i % 25}]->(b)
    } IN TRANSACTIONS OF 10000 ROWS`, { n: neo4j.int(n) });
}

/** A BackupContext whose storage gzips the stream and drops it, counting bytes. */
function discardingContext(): BackupContext & { bytes: number } {
  const ctx = {
    bytes: 0,
    async writeArtifact(spec: ArtifactSpec, source: Readable) {
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { ctx.bytes += chunk.length; done(); } });
      await pipeline(source, createGzip(), sink);
      return { part: spec.part, key: 'discarded', sizeBytes: ctx.bytes, sha256: '', compressed: true };
    },
    heartbeat: () => undefined,
    signal: new AbortController().signal,
    log: () => undefined,
  };
  return ctx;
}

async function once(proof: boolean): Promise<{ wallMs: number; cpuMs: number; gzBytes: number }> {
  const ctx = discardingContext();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await exportGraph(mainTarget, ctx, { proof });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if ((result.proof !== undefined) !== proof) throw new Error('the proof option was not honoured');
  return { wallMs, cpuMs: (used.user + used.system) / 1000, gzBytes: ctx.bytes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!values.keep) {
    console.log(`seeding ${nodes} nodes and ${nodes} relationships on ${mainTarget.uri} (wiped first)`);
    await seed(mainTarget, nodes);
  }
  await once(true); // warm-up: JIT, page cache, driver connections
  const runs: Record<'off' | 'on', { wallMs: number; cpuMs: number; gzBytes: number }[]> = { off: [], on: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['off', 'on'] as const) {
      const run = await once(mode === 'on');
      runs[mode].push(run);
      console.log(`round ${r + 1} proof ${mode}: wall ${run.wallMs.toFixed(0)} ms, client CPU ${run.cpuMs.toFixed(0)} ms, ${(run.gzBytes / 1e6).toFixed(1)} MB gzipped`);
    }
  }
  const [off, on] = [runs.off, runs.on].map((rs) => ({ wall: median(rs.map((x) => x.wallMs)), cpu: median(rs.map((x) => x.cpuMs)) }));
  const pct = (a: number, b: number): string => `${(((b - a) / a) * 100).toFixed(1)}%`;
  console.log(`median wall: off ${off.wall.toFixed(0)} ms, on ${on.wall.toFixed(0)} ms (+${(on.wall - off.wall).toFixed(0)} ms, ${pct(off.wall, on.wall)})`);
  console.log(`median client CPU: off ${off.cpu.toFixed(0)} ms, on ${on.cpu.toFixed(0)} ms (+${(on.cpu - off.cpu).toFixed(0)} ms, ${pct(off.cpu, on.cpu)}); `
    + `${(((on.cpu - off.cpu) * 1000) / (2 * nodes)).toFixed(2)} µs per entity`);
}

main().catch((err: Error) => {
  console.error(err);
  process.exitCode = 1;
});
