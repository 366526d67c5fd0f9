/**
 * Benchmark: how fast Cairn backs up and restores PostgreSQL, then Neo4j (bench/neo4j-speed.ts), against
 * baselines measured in the same run on the same data. A harness, not a test: it prints a table per engine and
 * writes bench/results/pg-speed-<time>.json and neo4j-speed-<time>.json.
 *
 *   npm run bench [-- --size-gb 1 --variants zstd:1,zstd:3,gzip --jobs 2 --neo4j-nodes 100000 --fresh --drop --verbose]
 *
 * See docs/benchmarks.md for what each row means.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { PostgresTarget } from '../config/types';
import { pgBinary } from '../engines/postgres/tools';
import { adminTarget, bucketExists, cleanupBucket, deleteCatalogRows, withPg } from './pg-memory';
import { neo4jOptions, runNeo4jSpeed } from './neo4j-speed';
import { dumpToNull, restoreFromDirectory, restoreFromFile, restoreFromZstdFile, seedWay } from './speed/baselines';
import { dropRestoredCopies, parseVariant, runVariant, variantName, type CairnRun } from './speed/cairn';
import { ensureEmptyDatabase, ensureSpeedDatabase } from './speed/data';
import { printTable, writeResults, type Machine, type Row } from './speed/report';
import { log, MiB } from './speed/util';

function options() {
  const { values } = parseArgs({
    options: {
      'size-gb': { type: 'string', default: '1' },
      variants: { type: 'string', default: 'zstd:1,zstd:3,gzip' },
      jobs: { type: 'string', default: '2' },
      'neo4j-nodes': { type: 'string', default: '100000' },
      'neo4j-replay-limit': { type: 'string', default: '5000' },
      fresh: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench [-- options]
  --size-gb N        bench database size (pg_database_size), default 1
  --variants LIST    Cairn runs, comma-separated compression[@partMiBxqueue][/stream|/readback], default zstd:1,zstd:3,gzip
  --jobs N           jobs of the pg_restore -j baseline, default 2 (Cairn's restore row uses the jobs Cairn
                     chooses, as a restore without --jobs does; a second row restores with --jobs 1)
  --neo4j-nodes N    nodes (and relationships) of the Neo4j part, default 100000; 0 skips Neo4j
  --neo4j-replay-limit N
                     Cypher-replay baseline: replay the first N statements and extrapolate (0: all; replaying
                     200k statements one by one takes most of an hour), default 5000
  --fresh            rebuild the bench database;  --drop  drop it at the end
  --verbose          echo the workers' output`);
    process.exit(0);
  }
  const sizeMb = Math.round(Number(values['size-gb']) * 1024);
  if (!Number.isFinite(sizeMb) || sizeMb < 16) throw new Error(`--size-gb must be at least 0.02, got '${values['size-gb']}'`);
  // The Neo4j part's own parser checks its values (bench/neo4j-speed.ts).
  const neo4j = values['neo4j-nodes'] === '0' ? undefined
    : neo4jOptions(['--nodes', values['neo4j-nodes']!, '--replay-limit', values['neo4j-replay-limit']!, ...(values.verbose ? ['--verbose'] : [])]);
  return { sizeMb, variants: values.variants!.split(',').filter(Boolean), jobs: Number(values.jobs), fresh: !!values.fresh, drop: !!values.drop, verbose: !!values.verbose, neo4j };
}

async function main(): Promise<void> {
  const opts = options();
  const suffix = randomUUID().slice(0, 8);
  const bench = `cairn-bench-speed-${opts.sizeMb}`;
  const empty = 'cairn-bench-speed-empty';
  const bucket = `cairn-bench-speed-${suffix}`;
  const config = loadConfig({ ...process.env, BACKUP_BUCKET: bucket, CAIRN_CONFIG: '', CAIRN_TARGET_TYPES: 'postgres' });
  const defaults = { partMb: config.storage.partSize / MiB, queue: config.storage.queueSize };
  const variants = opts.variants.map((v) => parseVariant(v, defaults));
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-bench-speed-'));
  const createdBucket = !(await bucketExists(config));
  const rows: Row[] = [];
  const runs: CairnRun[] = [];
  const loadBefore = loadavg();
  let db: { target: PostgresTarget; bytes: number } | undefined;
  try {
    db = await ensureSpeedDatabase(bench, opts.sizeMb, opts.fresh);
    await ensureEmptyDatabase(empty);
    const { target } = db;
    // One full read first, so no row pays for a cold cache the others did not.
    await dumpToNull(target, ['--compress=0']);
    log('baselines: pg_dump -Fc, pg_dump -Fc -Z0, the seed way');
    const bare = await dumpToNull(target, []);
    rows.push({ section: 'backup', name: 'pg_dump -Fc', ...bare });
    rows.push({ section: 'backup', name: 'pg_dump -Fc -Z0', ...await dumpToNull(target, ['--compress=0']) });
    const seed = await seedWay(target, config.storage, tmp);
    rows.push({ section: 'backup', name: 'seed way', ...seed, note: 'pg_dump -Fc to a local file, sha256sum, one PUT' });
    log('baselines: pg_restore from a file, pg_restore -j from a directory dump');
    rows.push({ section: 'restore', name: 'pg_restore file', ...await restoreFromFile(seed.file, `${bench}-r1`), note: 'pg_restore -d of the seed way\'s local dump' });
    rows.push({ section: 'restore', name: `pg_restore -j${opts.jobs} dir`, ...await restoreFromDirectory(target, opts.jobs, `${bench}-r2`, tmp) });
    rows.push({ section: 'restore', name: 'pg_restore zstd file', ...await restoreFromZstdFile(target, 3, `${bench}-r3`, tmp), note: 'zstd -dc of a local pg_dump -Z0 | zstd -3 file into pg_restore --single-transaction (Cairn zstd\'s format)' });
    for (const [i, variant] of variants.entries()) {
      const run = await runVariant({ bench, empty, bucket, queuePrefix: `bench-speed-${suffix}`, verbose: opts.verbose, restoreJobs: 1 }, variant, i);
      runs.push(run);
      const name = `Cairn ${variantName(variant)}`;
      rows.push({ section: 'backup', name, ms: run.backup.ms, storedBytes: run.backup.storedBytes, peakRss: run.backup.peakRss,
        note: `dump+upload ${(run.backup.dumpMs / 1000).toFixed(1)} s, validation (${run.variant.verify}) ${(run.backup.validateMs / 1000).toFixed(1)} s; worker idle RSS ${(run.idleRss / MiB).toFixed(0)} MiB` });
      rows.push({ section: 'restore', name, ms: run.restore.ms, peakRss: run.restore.peakRss, note: run.restore.phases });
      if (run.restoreJobs) rows.push({ section: 'restore', name: `${name} --jobs 1`, ms: run.restoreJobs.ms, peakRss: run.restoreJobs.peakRss, note: run.restoreJobs.phases });
      rows.push({ section: 'overhead', name: `empty-target cycle (${variantName(variant)} worker)`, ms: run.emptyCycleMs });
    }
  } finally {
    log(`cleaning up: ${await cleanupBucket(config, createdBucket).catch((e: Error) => e.message)}`);
    await deleteCatalogRows(config, `bench-speed-${suffix}-`).catch((e: Error) => log(`could not delete catalog rows: ${e.message}`));
    await dropRestoredCopies(bench).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    if (opts.drop) await withPg(adminTarget(), (c) => c.query(`DROP DATABASE IF EXISTS "${bench}" WITH (FORCE)`));
  }
  const machine: Machine = {
    cores: cpus().length, loadBefore, loadAfter: loadavg(), node: process.version,
    pgDump: execFileSync(pgBinary('pg_dump'), ['--version'], { encoding: 'utf8' }).trim(),
  };
  const table = printTable(rows, db.bytes, { backup: ['pg_dump -Fc', 'pg_dump -Fc -Z0', 'seed way'], restore: ['pg_restore file', 'pg_restore zstd file', `pg_restore -j${opts.jobs} dir`] });
  console.log(`\n=== PostgreSQL backup/restore speed: ${(db.bytes / MiB).toFixed(0)} MiB database (pg_database_size) ===`);
  console.log(`machine: ${machine.cores} cores, load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after; ${machine.node}; ${machine.pgDump}`);
  console.log('MB/s is of the database size (pg_database_size); ratios are wall time over the baseline\'s (below 1.00x: faster).');
  console.log(table);
  const file = writeResults(join(__dirname, '..', '..', 'bench', 'results'), { database: { name: bench, bytes: db.bytes }, machine, rows, runs });
  log(`results written to ${file}`);
  if (opts.neo4j) {
    const neo4j = await runNeo4jSpeed(opts.neo4j);
    console.log(neo4j.table);
    log(`results written to ${neo4j.file}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(2);
});
