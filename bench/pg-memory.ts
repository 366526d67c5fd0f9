/**
 * Benchmark: the worker's peak memory while backing up a PostgreSQL database several times larger than that memory.
 *
 *   npm run bench:memory [-- --size-mb 1024 --budget-mb 256 --fresh --drop --verbose --no-breakdown]
 *
 * A real worker runs as its own OS process (node dist/worker/main.js) against a database of its own; the bench
 * samples /proc/<pid>/status while one backupCycle runs, and prints the peak against the budget and against
 * baselines measured in the same run: the worker's idle footprint, and plain `pg_dump -Fc` to /dev/null.
 * Exit status: 0 when the peak is within the budget, 1 when it is not, 2 when the bench itself failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import { DeleteBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../config/load';
import type { CairnConfig, PostgresTarget } from '../config/types';
import { connectClient } from '../client/connection';
import { ObjectStore, httpStatus } from '../storage/s3';
import { libpqEnv, pgBinary } from '../engines/postgres/tools';
import type { BackupCycleResult } from '../workflows/inputs';
import type { Manifest } from '../activities/types';

const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------- options

interface Options {
  sizeMb: number;
  budgetMb: number;
  fresh: boolean;
  drop: boolean;
  verbose: boolean;
  breakdown: boolean;
  intervalMs: number;
  database: string;
  worker: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      'size-mb': { type: 'string' },
      'budget-mb': { type: 'string' },
      'interval-ms': { type: 'string' },
      database: { type: 'string' },
      worker: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'no-breakdown': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:memory [-- options]
  --size-mb N      size of the bench database (pg_database_size), default 1024 (env BENCH_SIZE_MB)
  --budget-mb N    the worker's peak RSS budget, default 256 (env BENCH_BUDGET_MB)
  --database NAME  bench database, default cairn-bench-memory-<size> (kept between runs)
  --fresh          recreate the bench database even when one of the right size exists
  --drop           drop the bench database at the end
  --interval-ms N  RSS sampling interval, default 100
  --worker PATH    the worker entry point to run, default dist/worker/main.js (to try a change)
  --verbose        echo the worker's output
  --no-breakdown   do not preload the heap/external sampler into the worker`);
    process.exit(0);
  }
  const num = (flag: string, raw: string | undefined, fallback: number, min: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number >= ${min}, got '${raw}'`);
    return n;
  };
  const sizeMb = Math.round(num('--size-mb', values['size-mb'] ?? process.env.BENCH_SIZE_MB, 1024, 16));
  const database = values.database ?? `cairn-bench-memory-${sizeMb}`;
  // The database name becomes the target name, which goes into backup ids: lower-case, digits and '-' only.
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(database)) throw new Error(`--database must be lower-case letters, digits and '-', got '${database}'`);
  return {
    sizeMb,
    budgetMb: num('--budget-mb', values['budget-mb'] ?? process.env.BENCH_BUDGET_MB, 256, 1),
    intervalMs: Math.round(num('--interval-ms', values['interval-ms'], 100, 10)),
    fresh: values.fresh ?? false,
    drop: values.drop ?? false,
    verbose: values.verbose ?? false,
    breakdown: !values['no-breakdown'],
    database,
    worker: values.worker ?? join(__dirname, '..', 'worker', 'main.js'),
  };
}

// ---------------------------------------------------------------------------------------------- small helpers

const log = (message: string) => console.log(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

/** Ctrl-C stops the run but still cleans up: every long wait races this. */
const interrupt = new AbortController();
function interruptible<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => {
    if (interrupt.signal.aborted) reject(new Error('interrupted'));
    interrupt.signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
  })]);
}

// ---------------------------------------------------------------------------------------------- /proc

interface ProcStatus {
  name: string;
  rss: number;
  hwm: number;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  threads: number;
}

/** /proc/<pid>/status, sizes in bytes; undefined once the process is gone. */
export function procStatus(pid: number): ProcStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(text);
    return m ? m[1]! : undefined;
  };
  const kb = (name: string) => Number(field(name) ?? 0) * 1024;
  return {
    name: field('Name') ?? '?', rss: kb('VmRSS'), hwm: kb('VmHWM'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'),
    rssShmem: kb('RssShmem'), threads: Number(field('Threads') ?? 0),
  };
}

/** Storage-layer bytes a process read and wrote (/proc/<pid>/io). */
function procIo(pid: number): { readBytes: number; writeBytes: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { readBytes: get('read_bytes'), writeBytes: get('write_bytes') };
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (every thread's children list). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
      } catch { /* thread gone */ }
    }
  } catch { /* process gone */ }
  return [...new Set(out)];
}

/** Resets the process's VmHWM to its current RSS (Linux >= 4.0), so VmHWM afterwards is the peak since now. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface ChildPeak { name: string; pid: number; peakRss: number; hwm: number }

/**
 * Samples a process (and its direct children, kept apart) every `intervalMs`. A child's VmHWM is read on
 * every sample, so its peak is known up to its last ~interval of life.
 */
export class Sampler {
  samples: { t: number; rss: number; childRss: number; phase: string }[] = [];
  maxRss = 0;
  maxRssStatus: ProcStatus | undefined;
  maxCombined = 0;
  readonly phaseMax = new Map<string, number>();
  readonly children = new Map<number, ChildPeak>();
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(private readonly pid: number, private readonly intervalMs: number, private readonly phaseOf: (childNames: string[]) => string) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const s = procStatus(this.pid);
    if (!s) return;
    let childRss = 0;
    const names: string[] = [];
    for (const cpid of childrenOf(this.pid)) {
      const c = procStatus(cpid);
      if (!c) continue;
      names.push(c.name);
      childRss += c.rss;
      const prev = this.children.get(cpid) ?? { name: c.name, pid: cpid, peakRss: 0, hwm: 0 };
      this.children.set(cpid, { name: c.name, pid: cpid, peakRss: Math.max(prev.peakRss, c.rss), hwm: Math.max(prev.hwm, c.hwm) });
    }
    const phase = this.phaseOf(names);
    if (s.rss > this.maxRss) {
      this.maxRss = s.rss;
      this.maxRssStatus = s;
    }
    this.maxCombined = Math.max(this.maxCombined, s.rss + childRss);
    this.phaseMax.set(phase, Math.max(this.phaseMax.get(phase) ?? 0, s.rss));
    this.samples.push({ t: Date.now() - this.started, rss: s.rss, childRss, phase });
  }

  last() {
    return this.samples[this.samples.length - 1];
  }
}

// ---------------------------------------------------------------------------------------------- the bench database

export function adminTarget(database = process.env.POSTGRES_DB ?? 'cairn'): PostgresTarget {
  return {
    type: 'postgres', name: database, host: process.env.POSTGRES_HOST ?? '127.0.0.1', port: Number(process.env.POSTGRES_PORT ?? 5432),
    user: process.env.POSTGRES_USER ?? 'cairn', password: process.env.POSTGRES_PASSWORD ?? 'cairn', database,
  };
}

export async function withPg<T>(target: PostgresTarget, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database, application_name: 'cairn-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const ROW_BYTES_GUESS = 420; // 4 x 88 base64 chars + id + tuple header + index entry, refined after the first batch

/**
 * A database of at least `sizeMb` MiB (pg_database_size) of poorly compressible rows, generated server-side.
 * Reused when a complete one of the same requested size exists (it takes minutes to build).
 */
async function ensureBenchDatabase(opts: Options): Promise<{ target: PostgresTarget; bytes: number; rows: number; reused: boolean }> {
  const admin = adminTarget();
  const target = adminTarget(opts.database);
  const exists = (await withPg(admin, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]))).rowCount === 1;
  if (exists && !opts.fresh) {
    const info = await withPg(target, async (c) => {
      const t = await c.query(`SELECT to_regclass('cairn_bench_info') IS NOT NULL AS ok`);
      if (!t.rows[0].ok) return undefined;
      return (await c.query<{ size_mb: number; rows: string; complete: boolean }>('SELECT size_mb, rows, complete FROM cairn_bench_info')).rows[0];
    });
    if (info?.complete && info.size_mb === opts.sizeMb) {
      const bytes = Number((await withPg(target, (c) => c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n'))).rows[0]!.n);
      log(`reusing database '${opts.database}': ${mb(bytes)}, ${Number(info.rows).toLocaleString('en')} rows (--fresh to rebuild)`);
      return { target, bytes, rows: Number(info.rows), reused: true };
    }
    log(`database '${opts.database}' exists but is ${info ? (info.complete ? `built for ${info.size_mb} MiB` : 'incomplete') : 'not a bench database'}: recreating it`);
  }
  if (exists) await withPg(admin, (c) => c.query(`DROP DATABASE "${opts.database}" WITH (FORCE)`));
  await withPg(admin, (c) => c.query(`CREATE DATABASE "${opts.database}" TEMPLATE template0`));

  const goal = opts.sizeMb * MiB;
  const began = Date.now();
  log(`filling '${opts.database}' to ${opts.sizeMb} MiB with server-generated sha512/base64 rows (poorly compressible), in batches`);
  const result = await withPg(target, async (c) => {
    await c.query(`CREATE TABLE cairn_bench_info (size_mb int NOT NULL, rows bigint NOT NULL, complete boolean NOT NULL, built_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO cairn_bench_info (size_mb, rows, complete) VALUES (${opts.sizeMb}, 0, false);
      CREATE TABLE bench_rows (id bigint PRIMARY KEY, payload text NOT NULL, n double precision NOT NULL)`);
    const size = async () => Number((await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
    const base = await size();
    let rows = 0;
    let bytes = base;
    let rowBytes = ROW_BYTES_GUESS;
    const batchRows = 250_000;
    while (bytes < goal) {
      if (interrupt.signal.aborted) throw new Error('interrupted');
      const n = Math.max(1000, Math.min(batchRows, Math.ceil((goal - bytes) / rowBytes)));
      const t0 = Date.now();
      // 4 SHA-512 digests per row, base64: 6 bits of entropy per byte, so zlib gains only ~25%.
      await c.query(`INSERT INTO bench_rows (id, payload, n)
        SELECT g, translate(encode(sha512(('a' || g)::bytea), 'base64') || encode(sha512(('b' || g)::bytea), 'base64')
                 || encode(sha512(('c' || g)::bytea), 'base64') || encode(sha512(('d' || g)::bytea), 'base64'), E'\\n', ''),
               random()
        FROM generate_series($1::bigint, $2::bigint) g`, [rows + 1, rows + n]);
      rows += n;
      const before = bytes;
      bytes = await size();
      rowBytes = Math.max(100, (bytes - base) / rows);
      const pct = Math.min(100, (100 * bytes) / goal);
      log(`  ${rows.toLocaleString('en').padStart(11)} rows  ${mb(bytes).padStart(12)}  ${pct.toFixed(0).padStart(3)}%  (${((bytes - before) / MiB / ((Date.now() - t0) / 1000)).toFixed(1)} MiB/s, ${secs(Date.now() - began)} so far)`);
    }
    log('  VACUUM (FREEZE, ANALYZE), so the first reader does not pay for setting hint bits');
    await c.query('VACUUM (FREEZE, ANALYZE) bench_rows');
    await c.query('UPDATE cairn_bench_info SET rows = $1, complete = true, built_at = now()', [rows]);
    return { rows, bytes: await size() };
  });
  log(`built '${opts.database}' in ${secs(Date.now() - began)}: ${mb(result.bytes)}, ${result.rows.toLocaleString('en')} rows`);
  return { target, ...result, reused: false };
}

// ---------------------------------------------------------------------------------------------- baseline: pg_dump alone

async function rawPgDump(target: PostgresTarget, intervalMs: number): Promise<{ ms: number; peakRss: number; bytesWritten: number }> {
  const devnull = openSync('/dev/null', 'w');
  const began = Date.now();
  let peakRss = 0;
  let bytesWritten = 0;
  try {
    const child = spawn(pgBinary('pg_dump'), ['--format=custom', '--no-password', target.database], { env: libpqEnv(target), stdio: ['ignore', devnull, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 100_000) stderr += d.toString(); });
    const timer = setInterval(() => {
      const s = child.pid ? procStatus(child.pid) : undefined;
      if (s) peakRss = Math.max(peakRss, s.hwm, s.rss);
      try {
        // wchar: bytes passed to write(), i.e. the dump written to /dev/null so far (plus a little stderr).
        bytesWritten = Number(/^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/io`, 'utf8'))?.[1] ?? bytesWritten);
      } catch { /* exited */ }
    }, intervalMs);
    const onInterrupt = () => child.kill('SIGTERM');
    interrupt.signal.addEventListener('abort', onInterrupt, { once: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    }).finally(() => {
      clearInterval(timer);
      interrupt.signal.removeEventListener('abort', onInterrupt);
    });
    if (code !== 0) throw new Error(`pg_dump exited ${code}: ${stderr.trim()}`);
  } finally {
    closeSync(devnull);
  }
  return { ms: Date.now() - began, peakRss, bytesWritten };
}

// ---------------------------------------------------------------------------------------------- the worker process

/** Preloaded into the worker (main thread only) when breakdown is on: process.memoryUsage() to a tmpfs file. */
export const PRELOAD = `'use strict';
const { isMainThread } = require('node:worker_threads');
const out = process.env.CAIRN_BENCH_MEMSTATS;
if (isMainThread && out) {
  const fs = require('node:fs');
  const fd = fs.openSync(out, 'a');
  const tick = () => {
    const m = process.memoryUsage();
    fs.writeSync(fd, JSON.stringify({ t: Date.now(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n');
  };
  setInterval(tick, 200).unref();
}
`;

interface MemStat { t: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }

export interface WorkerProc {
  child: ChildProcess;
  pid: number;
  ready: Promise<void>;
  output: () => string;
  stop(): Promise<void>;
}

export function startWorker(main: string, env: Record<string, string>, verbose: boolean, preload: string | undefined): WorkerProc {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const child = spawn(process.execPath, [...(preload ? ['--require', preload] : []), main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!child.pid) throw new Error('could not start the worker process');
  // The worker's output: kept bounded (the tail), echoed with --verbose.
  let out = '';
  let seenReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      const text = d.toString();
      if (verbose) process.stdout.write(text.replace(/^/gm, '[worker] '));
      out = (out + text).slice(-20_000);
      if (!seenReady && out.includes('polling task queue')) {
        seenReady = true;
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`worker exited (${signal ?? code}) before polling:\n${out}`)));
  });
  ready.catch(() => undefined); // observed by the caller; a later exit must not be an unhandled rejection
  return {
    child, pid: child.pid, ready, output: () => out,
    /** SIGTERM by pid (the worker drains and closes its clients), SIGKILL if it takes more than 20 s. */
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => { clearTimeout(force); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}

function readMemStats(path: string | undefined): MemStat[] {
  if (!path || !existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as MemStat);
}

// ---------------------------------------------------------------------------------------------- cleanup

/** Deletes the catalog rows (backup_history, restore_history) of a bench run's workflows, by workflow id prefix. */
export async function deleteCatalogRows(config: CairnConfig, workflowIdPrefix: string): Promise<void> {
  await withPg({ ...adminTarget(), ...config.metadata, type: 'postgres', name: 'catalog' }, async (c) => {
    await c.query('DELETE FROM backup_history WHERE workflow_id LIKE $1', [`${workflowIdPrefix}%`]);
    await c.query('DELETE FROM restore_history WHERE workflow_id LIKE $1', [`${workflowIdPrefix}%`]).catch(() => undefined);
  });
}

export async function cleanupBucket(config: CairnConfig, createdByBench: boolean): Promise<string> {
  const store = new ObjectStore(config.storage);
  try {
    const aborted = await store.abortStaleUploads('');
    const objects = await store.list('');
    await store.deleteAll(objects.map((o) => o.key));
    let bucket = 'kept (it existed before the run)';
    if (createdByBench) {
      try {
        await store.client.send(new DeleteBucketCommand({ Bucket: store.bucket }));
        bucket = 'deleted';
      } catch (err) {
        bucket = httpStatus(err) === 404 ? 'was never created' : `could not be deleted: ${(err as Error).message}`;
      }
    }
    return `${objects.length} object(s) deleted, ${aborted} unfinished upload(s) aborted, bucket ${store.bucket} ${bucket}`;
  } finally {
    store.destroy();
  }
}

export async function bucketExists(config: CairnConfig): Promise<boolean> {
  const store = new ObjectStore(config.storage);
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
    return true;
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  } finally {
    store.destroy();
  }
}

// ---------------------------------------------------------------------------------------------- the run

interface CycleOutcome {
  ms: number;
  result: BackupCycleResult;
  manifest: Manifest;
  retriedActivities: number;
}

async function runCycle(client: Client, config: CairnConfig, workflowId: string, onStart: (h: WorkflowHandle) => void): Promise<CycleOutcome> {
  const began = Date.now();
  const handle = await client.workflow.start('backupCycle', { taskQueue: config.temporal.taskQueue, workflowId, args: [{}] });
  onStart(handle);
  let result: BackupCycleResult;
  try {
    result = await interruptible(handle.result() as Promise<BackupCycleResult>);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      let inner = err as { message: string; cause?: unknown };
      while (inner.cause) inner = inner.cause as typeof inner;
      throw new Error(`the backup cycle failed: ${inner.message}`);
    }
    throw err;
  }
  const ms = Date.now() - began;
  const r = result.results[0];
  if (!r || r.status !== 'success' || !r.manifestKey) throw new Error(`the backup cycle did not succeed: ${JSON.stringify(result)}`);
  const store = new ObjectStore(config.storage);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await store.getText(r.manifestKey)) as Manifest;
  } finally {
    store.destroy();
  }
  const history = await handle.fetchHistory();
  const retriedActivities = (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
  return { ms, result, manifest, retriedActivities };
}

async function main(): Promise<number> {
  const opts = options();
  process.once('SIGINT', () => {
    log('interrupted: stopping and cleaning up (Ctrl-C again to exit at once)');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });

  const suffix = randomUUID().slice(0, 8);
  const workerEnv: Record<string, string> = {
    CAIRN_TARGET_TYPES: 'postgres',
    POSTGRES_DATABASES: opts.database,
    TEMPORAL_TASK_QUEUE: `bench-memory-${suffix}`,
    BACKUP_BUCKET: `cairn-bench-memory-${suffix}`,
    CAIRN_APPLY_SCHEDULE_ON_START: 'false',
    CAIRN_CONFIG: '', // a config file's targets: list would replace the bench database
  };
  const config = loadConfig({ ...process.env, ...workerEnv });
  const { partSize, queueSize } = config.storage;

  let worker: WorkerProc | undefined;
  let handle: WorkflowHandle | undefined;
  let client: Client | undefined;
  let completed = false;
  let createdBucket = false;
  const tmp = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cairn-bench-'));
  let exitCode = 2;
  try {
    // 1. The database.
    const db = await interruptible(ensureBenchDatabase(opts));
    const target = db.target;
    const warm0 = Date.now();
    await withPg(target, (c) => c.query('SELECT count(*), sum(length(payload)) FROM bench_rows'));
    log(`warmed the page cache with one sequential scan (${secs(Date.now() - warm0)}), so both dumps below read a warm cache`);

    // 2. Baseline: pg_dump alone, to /dev/null.
    const loadBefore = loadavg()[0]!;
    log(`baseline: ${pgBinary('pg_dump')} --format=custom ${opts.database} > /dev/null`);
    const raw = await interruptible(rawPgDump(target, opts.intervalMs));
    log(`  pg_dump alone: ${secs(raw.ms)}, ${mb(raw.bytesWritten)} written, peak RSS ${mb(raw.peakRss)}`);

    // 3. The worker, idle.
    createdBucket = !(await bucketExists(config));
    let preload: string | undefined;
    let statsFile: string | undefined;
    if (opts.breakdown) {
      preload = join(tmp, 'memstats-preload.js');
      statsFile = join(tmp, 'memstats.jsonl');
      writeFileSync(preload, PRELOAD);
      workerEnv.CAIRN_BENCH_MEMSTATS = statsFile;
    }
    log(`starting the worker: node ${relative(process.cwd(), opts.worker)} (task queue ${workerEnv.TEMPORAL_TASK_QUEUE}, bucket ${workerEnv.BACKUP_BUCKET}, parts ${mb(partSize)} x queue ${queueSize})`);
    const startT = Date.now();
    worker = startWorker(opts.worker, workerEnv, opts.verbose, preload);
    await interruptible(Promise.race([worker.ready, sleep(180_000).then(() => { throw new Error(`worker not polling after 180 s:\n${worker!.output()}`); })]));
    const readyMs = Date.now() - startT;
    await interruptible(sleep(3000));
    const idleSamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      idleSamples.push(procStatus(worker.pid)?.rss ?? 0);
      await sleep(100);
    }
    idleSamples.sort((a, b) => a - b);
    const idleRss = idleSamples[Math.floor(idleSamples.length / 2)]!;
    const startupHwm = procStatus(worker.pid)?.hwm ?? 0;
    log(`  worker polling after ${secs(readyMs)}; idle RSS ${mb(idleRss)}; start-up peak (VmHWM so far) ${mb(startupHwm)}`);

    // 4. The cycle, sampled.
    const resetOk = resetPeak(worker.pid);
    const io0 = procIo(worker.pid);
    const statsFrom = Date.now();
    const sampler = new Sampler(worker.pid, opts.intervalMs, (names) => names.includes('pg_dump') ? 'dump' : names.includes('pg_restore') ? 'validate' : 'other').start();
    const ticker = setInterval(() => {
      const s = sampler.last();
      if (s) log(`  ${secs(s.t).padStart(8)}  ${s.phase.padEnd(8)}  worker RSS ${mb(s.rss).padStart(11)}  (peak ${mb(sampler.maxRss)})  children ${mb(s.childRss)}`);
    }, 5000);
    client = await connectClient(config.temporal);
    const workflowId = `bench-memory-${suffix}`;
    log(`running backupCycle ${workflowId}; sampling the worker every ${opts.intervalMs} ms (VmHWM ${resetOk ? 'reset to current RSS at the start of the cycle' : 'could NOT be reset: it includes start-up'})`);
    let cycle: CycleOutcome;
    try {
      cycle = await runCycle(client, config, workflowId, (h) => { handle = h; });
      completed = true;
    } finally {
      clearInterval(ticker);
      sampler.stop();
    }
    const loadAfter = loadavg()[0]!;
    const end = procStatus(worker.pid);
    const io1 = procIo(worker.pid);
    const cycleHwm = end?.hwm ?? 0;
    const peak = Math.max(cycleHwm, sampler.maxRss);
    const lifetimeHwm = Math.max(startupHwm, cycleHwm);
    const stats = readMemStats(statsFile).filter((s) => s.t >= statsFrom);
    const atPeak = stats.reduce<MemStat | undefined>((best, s) => (!best || s.rss > best.rss ? s : best), undefined);
    const maxOf = (k: keyof MemStat) => stats.reduce((m, s) => Math.max(m, s[k]), 0);

    const art = cycle.manifest.artifacts[0]!;
    const dumpBytes = art.sizeBytes;
    const dumpMs = cycle.manifest.durations.dumpMs;
    const validateMs = cycle.manifest.durations.validateMs;
    const children = [...sampler.children.values()];
    const childPeak = (name: string) => children.filter((c) => c.name === name).reduce((m, c) => Math.max(m, c.hwm, c.peakRss), 0);
    const diskWritten = io0 && io1 ? io1.writeBytes - io0.writeBytes : undefined;
    const budget = opts.budgetMb * MiB;
    const pass = peak <= budget;

    const rows: [string, string][] = [
      ['database', `${opts.database} (${db.reused ? 'reused' : 'built this run'}), ${db.rows.toLocaleString('en')} rows`],
      ['database size (pg_database_size)', mb(db.bytes)],
      ['dump size (pg_dump -Fc, stored object)', `${mb(dumpBytes)} (${(100 * dumpBytes / db.bytes).toFixed(0)}% of the database)`],
      ['upload settings', `S3_PART_SIZE_MB ${partSize / MiB} x S3_UPLOAD_QUEUE_SIZE ${queueSize} = ${mb(partSize * queueSize)} in flight`],
      ['', ''],
      ['worker idle RSS (baseline a)', mb(idleRss)],
      ['worker start-up peak (VmHWM before the cycle)', mb(startupHwm)],
      [`worker peak RSS during the cycle (${resetOk ? 'VmHWM since reset' : 'sampled'})`, mb(peak)],
      ['  sampled max RSS, dump phase / validate phase', `${mb(sampler.phaseMax.get('dump') ?? 0)} / ${mb(sampler.phaseMax.get('validate') ?? 0)}`],
      ['  at the sampled max: RssAnon / RssFile / RssShmem', sampler.maxRssStatus ? `${mb(sampler.maxRssStatus.rssAnon)} / ${mb(sampler.maxRssStatus.rssFile)} / ${mb(sampler.maxRssStatus.rssShmem)}, ${sampler.maxRssStatus.threads} threads` : 'n/a'],
      ...(atPeak ? [
        ['  main-thread V8 at max rss: heapUsed / heapTotal', `${mb(atPeak.heapUsed)} / ${mb(atPeak.heapTotal)} (max heapUsed ${mb(maxOf('heapUsed'))})`],
        ['  external / arrayBuffers (Buffers) at max rss', `${mb(atPeak.external)} / ${mb(atPeak.arrayBuffers)} (max arrayBuffers ${mb(maxOf('arrayBuffers'))})`],
        ['  rest: native (Temporal core, workflow threads, code)', mb(Math.max(0, atPeak.rss - atPeak.heapTotal - atPeak.external))],
      ] as [string, string][] : []),
      ['worker lifetime peak (VmHWM, incl. start-up)', mb(lifetimeHwm)],
      ['peak / idle', ratio(peak, idleRss)],
      ['peak vs budget', `${mb(peak)} of ${opts.budgetMb} MiB (${(100 * peak / budget).toFixed(0)}%): ${pass ? 'PASS' : 'FAIL'}`],
      ['database size / worker peak', `${ratio(db.bytes, peak)} (dump / worker peak ${ratio(dumpBytes, peak)})`],
      ['', ''],
      ['pg_dump child peak RSS (in the cycle / alone)', `${mb(childPeak('pg_dump'))} / ${mb(raw.peakRss)}`],
      ['pg_restore child peak RSS (validation)', mb(childPeak('pg_restore'))],
      ['worker + children, sampled max sum', mb(sampler.maxCombined)],
      ['', ''],
      ['pg_dump alone to /dev/null (baseline b)', `${secs(raw.ms)}, ${(db.bytes / MiB / (raw.ms / 1000)).toFixed(1)} MiB/s of database`],
      ['Cairn dump+upload (manifest dumpMs)', `${secs(dumpMs)}, ${(db.bytes / MiB / (dumpMs / 1000)).toFixed(1)} MiB/s of database`],
      ['  throughput vs pg_dump alone', `${(raw.ms / dumpMs).toFixed(2)} (dump+upload takes ${ratio(dumpMs, raw.ms)} the time of pg_dump alone)`],
      [`Cairn validation (CAIRN_VERIFY=${config.backup.verify}: ${config.backup.verify === 'stream' ? 'checks made in flight' : 'read back + pg_restore'})`, secs(validateMs)],
      ['Cairn whole cycle (start to result)', `${secs(cycle.ms)} = ${ratio(cycle.ms, raw.ms)} pg_dump alone`],
      ['machine', `${cpus().length} cores; 1-min load average ${loadBefore.toFixed(2)} before the baseline, ${loadAfter.toFixed(2)} after the cycle (counts the bench's own pg_dump, worker, PostgreSQL and MinIO)`],
      ['activity retries during the cycle', `${cycle.retriedActivities}${cycle.retriedActivities ? ' (timings include a retry!)' : ''}`],
      ['', ''],
      ['local disk a dump-to-file script needs (baseline c)', mb(dumpBytes)],
      ['local disk the worker wrote during the cycle', diskWritten === undefined ? 'n/a (/proc/<pid>/io unreadable)' : mb(diskWritten)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('\n=== Cairn worker memory while backing up PostgreSQL ===');
    for (const [k, v] of rows) console.log(k ? `${k.padEnd(width)}  ${v}` : '');
    console.log(pass
      ? `\nPASS: the worker peaked at ${mb(peak)}, within the ${opts.budgetMb} MiB budget, backing up a database ${ratio(db.bytes, peak)} its peak.`
      : `\nFAIL: the worker peaked at ${mb(peak)}, over the ${opts.budgetMb} MiB budget.`);
    if (lifetimeHwm > budget && pass) console.log(`note: the start-up peak (${mb(startupHwm)}) is over the budget; the backup itself is not.`);
    exitCode = pass ? 0 : 1;
  } catch (err) {
    console.error(`[bench] failed: ${(err as Error).message}`);
    if (worker && !completed) console.error(`[bench] worker output (tail):\n${worker.output().slice(-4000)}`);
  } finally {
    log('cleaning up');
    if (handle && !completed) await handle.terminate('benchmark stopped').catch(() => undefined);
    if (worker) await worker.stop();
    if (client) await client.connection.close().catch(() => undefined);
    if (worker) {
      try {
        log(`  ${await cleanupBucket(config, createdBucket)}`);
      } catch (err) {
        log(`  could not clean up bucket ${config.storage.bucket}: ${(err as Error).message}`);
      }
    }
    try {
      // The catalog row would point at the objects just deleted.
      const meta: PostgresTarget = { type: 'postgres', name: 'catalog', ...config.metadata };
      const deleted = await withPg(meta, (c) => c.query('DELETE FROM backup_history WHERE workflow_id = $1', [`bench-memory-${suffix}`]));
      log(`  ${deleted.rowCount ?? 0} backup_history row(s) of this run deleted`);
    } catch (err) {
      log(`  could not delete the catalog rows: ${(err as Error).message}`);
    }
    rmSync(tmp, { recursive: true, force: true });
    if (opts.drop) {
      await withPg(adminTarget(), (c) => c.query(`DROP DATABASE IF EXISTS "${opts.database}" WITH (FORCE)`));
      log(`  dropped database '${opts.database}'`);
    } else {
      log(`  kept database '${opts.database}' for the next run (--drop to remove it)`);
    }
  }
  return exitCode;
}

// Run only as the entry point: bench/pg-speed reuses this file's helpers.
if (require.main === module) {
  main().then((code) => process.exit(code), (err) => {
    console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  });
}
