/**
 * `npm run bench:cpu`: where a backup's and a restore's time goes, as CPU seconds per process on the whole machine.
 * A real worker runs backupCycle then restoreBackup on the speed bench's database (built like `npm run bench`
 * builds it); around each workflow this reads /proc for every process (a parent's reaped children count as its
 * own: pg_dump and zstd under the worker, server backends under the postmaster) and for the worker's threads
 * (V8's helper threads are where its garbage collection shows). Wall time against machine-busy time says how much
 * of the cores a workflow leaves idle; timings are not asserted anywhere.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { connectClient } from '../client/connection';
import { loadConfig } from '../config/load';
import type { Manifest } from '../activities/types';
import type { RestoreBackupResult } from '../workflows/restore-inputs';
import { ObjectStore } from '../storage/s3';
import { cleanupBucket, deleteCatalogRows, procStatus, resetPeak, startWorker } from './pg-memory';
import { cycle, dropRestoredCopies } from './speed/cairn';
import { ensureSpeedDatabase } from './speed/data';
import { log, secs } from './speed/util';

const TICK = 100; // USER_HZ: /proc/*/stat times are in 1/100 s on Linux

interface ProcCpu { name: string; own: number; children: number }

/** utime+stime and cutime+cstime, in seconds, of every process (or of one process's threads). */
function cpuTimes(dir = '/proc'): Map<string, ProcCpu> {
  const out = new Map<string, ProcCpu>();
  for (const id of readdirSync(dir)) {
    if (!/^\d+$/.test(id)) continue;
    try {
      const stat = readFileSync(join(dir, id, 'stat'), 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      out.set(id, { name, own: (f[11]! + f[12]!) / TICK, children: (f[13]! + f[14]!) / TICK });
    } catch { /* gone meanwhile */ }
  }
  return out;
}

function machineBusy(): { busy: number; all: number } {
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return { busy: (t[0]! + t[1]! + t[2]! + t[5]! + t[6]!) / TICK, all: t.reduce((a, b) => a + b, 0) / TICK };
}

/** Runs `fn` and prints the CPU every process and every worker thread spent meanwhile. */
async function budget<T>(what: string, workerPid: number, fn: () => Promise<T>): Promise<T> {
  const procs = cpuTimes();
  const threads = cpuTimes(`/proc/${workerPid}/task`);
  const machine = machineBusy();
  resetPeak(workerPid);
  const began = Date.now();
  const value = await fn();
  const wall = (Date.now() - began) / 1000;
  const m = machineBusy();
  const busy = m.busy - machine.busy;
  console.log(`\n${what}: ${wall.toFixed(1)} s wall; machine busy ${busy.toFixed(2)} CPU-s (${(100 * busy / (wall * cpus().length)).toFixed(0)}% of ${cpus().length} cores); worker peak RSS ${((procStatus(workerPid)?.hwm ?? 0) / 1048576).toFixed(0)} MiB`);
  const rows: [string, number, number][] = [];
  for (const [id, after] of cpuTimes()) {
    const before = procs.get(id) ?? { own: 0, children: 0 };
    const own = after.own - before.own;
    const children = after.children - before.children;
    if (own + children >= 0.05) rows.push([`${after.name} (${id}${Number(id) === workerPid ? ', the worker' : ''})`, own, children]);
  }
  for (const [name, own, children] of rows.sort((a, b) => b[1] + b[2] - a[1] - a[2])) {
    console.log(`  ${name.padEnd(36)} ${own.toFixed(2).padStart(6)} s own ${children.toFixed(2).padStart(6)} s reaped children`);
  }
  const perThread = [...cpuTimes(`/proc/${workerPid}/task`)].map(([id, t]) => [id, t.own - (threads.get(id)?.own ?? 0)] as const).filter(([, s]) => s >= 0.05);
  console.log(`  worker threads: ${perThread.map(([id, s]) => `${id}${Number(id) === workerPid ? ' (main)' : ''} ${s.toFixed(2)} s`).join(', ')}`);
  return value;
}

async function main(): Promise<void> {
  const sizeArg = process.argv.indexOf('--size-gb');
  const sizeMb = Math.round((sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 1) * 1024);
  if (!(sizeMb > 0)) throw new Error('--size-gb must be a positive number');
  const rounds = 2;
  const suffix = randomUUID().slice(0, 8);
  const bench = `cairn-bench-speed-${sizeMb}`;
  const env: Record<string, string> = {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: bench, BACKUP_BUCKET: `cairn-bench-cpu-${suffix}`,
    TEMPORAL_TASK_QUEUE: `bench-cpu-${suffix}`, CAIRN_APPLY_SCHEDULE_ON_START: 'false', CAIRN_CONFIG: '',
  };
  const config = loadConfig({ ...process.env, ...env });
  await ensureSpeedDatabase(bench, sizeMb, false);
  const worker = startWorker(join(__dirname, '..', 'worker', 'main.js'), env, false, undefined);
  const client = await connectClient(config.temporal);
  try {
    await worker.ready;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (let round = 1; round <= rounds; round++) {
      const result = await budget(`backupCycle of ${bench}, round ${round}`, worker.pid, () =>
        cycle(client, config.temporal.taskQueue, `bench-cpu-${suffix}-backup-${round}`, bench));
      const store = new ObjectStore(config.storage);
      const manifest = JSON.parse(await store.getText(result.results[0]!.manifestKey!).finally(() => store.destroy())) as Manifest;
      const restored = await budget(`restoreBackup of it, round ${round}`, worker.pid, () => client.workflow.execute('restoreBackup', {
        taskQueue: config.temporal.taskQueue, workflowId: `bench-cpu-${suffix}-restore-${round}`,
        args: [{ type: 'postgres', target: bench, backupId: manifest.backupId }],
      }) as Promise<RestoreBackupResult>);
      const t = restored.targets[0]!;
      const d = t.durations;
      console.log(`  verify ${secs(d.verifyMs)}, restore ${secs(d.restoreMs)}, prove ${secs(d.proveMs)}; ${t.notes.filter((n) => /phases:|with pg_restore/.test(n)).join('; ')}`);
      await dropRestoredCopies(bench);
    }
  } finally {
    await client.connection.close().catch(() => undefined);
    await worker.stop();
    log(`cleaning up: ${await cleanupBucket(config, true).catch((e: Error) => e.message)}`);
    await deleteCatalogRows(config, `bench-cpu-${suffix}-`).catch((e: Error) => log(`could not delete catalog rows: ${e.message}`));
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`[bench:cpu] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(2);
});
