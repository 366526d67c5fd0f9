/**
 * Benchmark: how fast Cairn backs up and restores Neo4j, against baselines measured in the same run on the same
 * graph. A harness, not a test: it prints a table and writes bench/results/neo4j-speed-<time>.json.
 *
 *   npm run bench:neo4j [-- --nodes 100000 --replay-limit 20000 --no-worker --verbose]
 *
 * It starts two Neo4j instances of its own (the stack's launcher, on free ports, scratch data; the source with
 * APOC, the restore destination without), so it never touches the shared main and drill instances. See
 * docs/benchmarks.md ("Neo4j") for what each row means.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { wipe } from '../test/support/neo4j-graph';
import { bucketExists, cleanupBucket, deleteCatalogRows } from './pg-memory';
import { dropExport, engineExport, engineRestore, workerRun, type EngineExport, type WorkerRun } from './speed/neo4j-cairn';
import { apocJsonExport, graphTotals, replayScript, seedGraph, writeCypherScript } from './speed/neo4j-data';
import { startPrivateNeo4j, type PrivateNeo4j } from './speed/neo4j-server';
import { printTable, writeResults, type Machine, type Row } from './speed/report';
import { log, MiB, secs } from './speed/util';

export interface Neo4jSpeedOptions { nodes: number; rounds: number; replayLimit: number; worker: boolean; verbose: boolean }

const APOC = 'APOC json stream';
const REPLAY = 'Cypher script replay';

export function neo4jOptions(argv = process.argv.slice(2)): Neo4jSpeedOptions {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      nodes: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, 'replay-limit': { type: 'string', default: '0' },
      'no-worker': { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:neo4j [-- options]
  --nodes N          nodes (and relationships) in the bench graph, default 100000
  --rounds N         export rounds, APOC and Cairn alternating; each row keeps its best, default 3
  --replay-limit N   replay only the first N statements of the Cypher script and extrapolate its time (0: all, the default)
  --no-worker        skip the end-to-end rows (backupCycle and restoreBackup on a real worker)
  --verbose          echo the worker's output`);
    process.exit(0);
  }
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 100) throw new Error(`--nodes must be an integer of at least 100, got '${values.nodes}'`);
  const replayLimit = Number(values['replay-limit']);
  if (!Number.isInteger(replayLimit) || replayLimit < 0) throw new Error(`--replay-limit must be a whole number, got '${values['replay-limit']}'`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);
  return { nodes, rounds, replayLimit, worker: !values['no-worker'], verbose: !!values.verbose };
}

/** Runs the whole Neo4j bench; returns the printed table (for a caller printing several engines) and the JSON file. */
export async function runNeo4jSpeed(opts: Neo4jSpeedOptions): Promise<{ table: string; file: string }> {
  const suffix = randomUUID().slice(0, 8);
  const rows: Row[] = [];
  const loadBefore = loadavg();
  const servers: PrivateNeo4j[] = [];
  const script = join(tmpdir(), `cairn-bench-neo4j-${suffix}.cypher`);
  const bucket = `cairn-bench-neo4j-${suffix}`;
  const config = loadConfig({ ...process.env, BACKUP_BUCKET: bucket, CAIRN_CONFIG: '', CAIRN_TARGET_TYPES: 'neo4j' });
  const createdBucket = !(await bucketExists(config));
  let totals = { nodes: 0, relationships: 0 };
  let apocBytes = 0;
  let worker: WorkerRun | undefined;
  try {
    log('starting two private Neo4j instances (source with APOC, destination without)');
    const [main, drill] = await Promise.all([startPrivateNeo4j('neo4j-bench-main', true), startPrivateNeo4j('neo4j-bench-drill', false)]);
    servers.push(main, drill);
    log(`seeding ${opts.nodes} nodes and relationships`);
    let began = Date.now();
    await seedGraph(main.target, opts.nodes);
    totals = await graphTotals(main.target);
    log(`  seeded in ${secs(Date.now() - began)}: ${totals.nodes} nodes, ${totals.relationships} relationships`);

    // One full read first, so no row pays for a cold cache the others did not; then rounds alternate the two
    // exports and each keeps its best, because other work on a shared machine comes and goes.
    await apocJsonExport(main.target);
    let apoc = { ms: Infinity, bytes: 0 };
    let exp: EngineExport | undefined;
    for (let round = 0; round < opts.rounds; round++) {
      const a = await apocJsonExport(main.target);
      if (a.ms < apoc.ms) apoc = a;
      const e = await engineExport(main.target);
      if (!exp || e.ms < exp.ms) {
        if (exp) dropExport(exp);
        exp = e;
      } else {
        dropExport(e);
      }
      log(`  round ${round + 1}: ${APOC} ${secs(a.ms)}, engine export ${secs(e.ms)}`);
    }
    apocBytes = apoc.bytes;
    rows.push({ section: 'backup', name: APOC, ms: apoc.ms, note: `${(apoc.bytes / MiB).toFixed(0)} MiB of JSON built in server memory, types lost; best of ${opts.rounds}` });
    rows.push({ section: 'backup', name: 'Cairn engine export', ms: exp!.ms, storedBytes: exp!.storedBytes, note: `exportGraph into a local directory: typed NDJSON, gzip 1, fingerprinted; best of ${opts.rounds}` });
    try {
      const restored = await engineRestore(exp!, main.target, drill.target);
      rows.push({ section: 'restore', name: 'Cairn engine restore', ms: restored.ms, note: 'restoreGraph from that directory, proof equal to the export\'s' });
      log(`  engine restore: ${secs(restored.ms)}`);
    } finally {
      dropExport(exp!);
    }
    await wipe(drill.target);

    began = Date.now();
    const statements = await writeCypherScript(main.target, script);
    log(`  wrote an APOC-style Cypher script: ${statements} statements in ${secs(Date.now() - began)}`);
    const limit = opts.replayLimit > 0 && opts.replayLimit < statements ? opts.replayLimit : Infinity;
    const replay = await replayScript(drill.target, script, limit);
    const replayMs = limit === Infinity ? replay.ms : Math.round(replay.ms * (statements / replay.statements));
    rows.push({ section: 'restore', name: REPLAY, ms: replayMs, note: `${statements} statements, one auto-commit transaction each`
      + (limit === Infinity ? '' : `; ${replay.statements} replayed in ${secs(replay.ms)}, the rest extrapolated`) });
    log(`  ${REPLAY}: ${secs(replayMs)}`);
    await wipe(drill.target);

    if (opts.worker) {
      worker = await workerRun({ source: main.target, drill: drill.target, bucket, queue: `bench-neo4j-${suffix}`, name: `bench-neo4j-${suffix}`, verbose: opts.verbose });
      rows.push({ section: 'backup', name: 'Cairn backupCycle (worker)', ms: worker.backup.ms, storedBytes: worker.backup.storedBytes, peakRss: worker.backup.peakRss,
        note: `export+upload ${secs(worker.backup.dumpMs)}, validation read-back ${secs(worker.backup.validateMs)}; worker idle RSS ${(worker.idleRss / MiB).toFixed(0)} MiB` });
      rows.push({ section: 'restore', name: 'Cairn restoreBackup (worker)', ms: worker.restore.ms, peakRss: worker.restore.peakRss });
    }
  } finally {
    rmSync(script, { force: true });
    await Promise.all(servers.map((s) => s.stop()));
    log(`cleaning up: ${await cleanupBucket(config, createdBucket).catch((e: Error) => e.message)}`);
    await deleteCatalogRows(config, `bench-neo4j-${suffix}-`).catch((e: Error) => log(`could not delete catalog rows: ${e.message}`));
  }
  const machine: Machine = { cores: cpus().length, loadBefore, loadAfter: loadavg(), node: process.version };
  const entities = totals.nodes + totals.relationships;
  const table = [
    `\n=== Neo4j backup/restore speed: ${totals.nodes} nodes + ${totals.relationships} relationships, ${(apocBytes / 1e6).toFixed(0)} MB as APOC JSON ===`,
    `machine: ${machine.cores} cores, load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after; ${machine.node}`,
    'MB/s is of the graph\'s size as APOC JSON; entities are nodes + relationships; ratios are wall time over the baseline\'s (below 1.00x: faster).',
    printTable(rows, apocBytes, { backup: [APOC], restore: [REPLAY] }, entities),
  ].join('\n');
  const file = writeResults(join(__dirname, '..', '..', 'bench', 'results'), { graph: { ...totals, apocJsonBytes: apocBytes }, machine, rows, worker }, 'neo4j-speed');
  return { table, file };
}

if (require.main === module) {
  runNeo4jSpeed(neo4jOptions()).then(({ table, file }) => {
    console.log(table);
    log(`results written to ${file}`);
    process.exit(0);
  }, (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(2);
  });
}
