/**
 * Cairn's own rows: a real worker process per variant (compression, part size x upload queue), running the real
 * backupCycle and restoreBackup workflows; wall time from start to result, the worker's peak RSS (VmHWM, reset
 * before each workflow), and what the manifest says the dump+upload and the validation took (read back or stream-checked, per CAIRN_VERIFY).
 */
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../client/connection';
import { loadConfig } from '../../config/load';
import type { BackupCycleResult } from '../../workflows/inputs';
import type { RestoreBackupResult } from '../../workflows/restore-inputs';
import type { Manifest } from '../../activities/types';
import { ObjectStore } from '../../storage/s3';
import { adminTarget, procStatus, resetPeak, startWorker, withPg, type WorkerProc } from '../pg-memory';
import { log, secs } from './util';

export interface Variant { compression: string; partMb: number; queue: number; verify: 'stream' | 'readback' }

export interface CairnRun {
  variant: Variant;
  /** the worker's RSS once polling and settled, before any workflow: what the peaks grow from */
  idleRss: number;
  emptyCycleMs: number;
  backup: { ms: number; peakRss: number; storedBytes: number; dumpMs: number; validateMs: number; encoding: string };
  restore: RestoreRun;
  /** the same restore with jobs: N (--jobs; the bench asks for 1: one transaction) */
  restoreJobs?: RestoreRun;
}

/** A restoreBackup run: wall time, worker peak RSS, and the report's phases (verify, restore, prove) and notes. */
export interface RestoreRun { ms: number; peakRss: number; phases: string }

/** `zstd:3`, `gzip@16x4` (part size MiB x upload queue), `zstd:3/readback` (CAIRN_VERIFY), ... */
export function parseVariant(spec: string, defaults: { partMb: number; queue: number }): Variant {
  const m = /^([a-z0-9:]+)(?:@(\d+)x(\d+))?(?:\/(stream|readback))?$/.exec(spec.trim());
  if (!m) throw new Error(`--variants: '${spec}' is not compression[@partMiBxqueue][/stream|/readback], e.g. zstd:3, gzip@16x4 or zstd:3/readback`);
  return { compression: m[1]!, partMb: m[2] ? Number(m[2]) : defaults.partMb, queue: m[3] ? Number(m[3]) : defaults.queue, verify: m[4] === 'readback' ? 'readback' : 'stream' };
}

export const variantName = (v: Variant) => `${v.compression} @${v.partMb}x${v.queue} ${v.verify}`;

interface RunContext { bench: string; empty: string; bucket: string; queuePrefix: string; verbose: boolean; restoreJobs?: number }

/** Runs `fn` with the worker's peak RSS measured from its start (VmHWM reset first). */
export async function peakOf<T>(worker: WorkerProc, fn: () => Promise<T>): Promise<[T, number, number]> {
  resetPeak(worker.pid);
  const began = Date.now();
  const value = await fn();
  return [value, Date.now() - began, procStatus(worker.pid)?.hwm ?? 0];
}

export async function cycle(client: Client, taskQueue: string, workflowId: string, target: string): Promise<BackupCycleResult> {
  const result = await client.workflow.execute('backupCycle', { taskQueue, workflowId, args: [{ targets: [target] }] }) as BackupCycleResult;
  const r = result.results[0];
  if (!r || r.status !== 'success') throw new Error(`backup of ${target} did not succeed: ${JSON.stringify(result)}`);
  return result;
}

export async function runVariant(ctx: RunContext, variant: Variant, index: number): Promise<CairnRun> {
  const env: Record<string, string> = {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: `${ctx.bench},${ctx.empty}`, BACKUP_BUCKET: ctx.bucket,
    TEMPORAL_TASK_QUEUE: `${ctx.queuePrefix}-${index}`, CAIRN_APPLY_SCHEDULE_ON_START: 'false', CAIRN_CONFIG: '',
    CAIRN_PG_COMPRESSION: variant.compression, S3_PART_SIZE_MB: String(variant.partMb), S3_UPLOAD_QUEUE_SIZE: String(variant.queue),
    CAIRN_VERIFY: variant.verify,
  };
  const config = loadConfig({ ...process.env, ...env });
  log(`${variantName(variant)}: starting a worker on ${env.TEMPORAL_TASK_QUEUE}`);
  const worker = startWorker(join(__dirname, '..', '..', 'worker', 'main.js'), env, ctx.verbose, undefined);
  const client = await connectClient(config.temporal);
  const id = (what: string) => `${ctx.queuePrefix}-${index}-${what}`;
  try {
    await worker.ready;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRss = procStatus(worker.pid)?.rss ?? 0;
    const [, emptyCycleMs] = await peakOf(worker, () => cycle(client, config.temporal.taskQueue, id('empty'), ctx.empty));
    const [result, backupMs, backupPeak] = await peakOf(worker, () => cycle(client, config.temporal.taskQueue, id('backup'), ctx.bench));
    const store = new ObjectStore(config.storage);
    const manifest = JSON.parse(await store.getText(result.results[0]!.manifestKey!).finally(() => store.destroy())) as Manifest;
    const art = manifest.artifacts[0]!;
    log(`  backup ${secs(backupMs)} (dump+upload ${secs(manifest.durations.dumpMs)}, validation ${secs(manifest.durations.validateMs)}: ${manifest.validation.checks.length} checks), ${(art.sizeBytes / 1048576).toFixed(1)} MiB stored`);
    const restoreOnce = async (what: string, jobs?: number): Promise<RestoreRun> => {
      const [restored, ms, peakRss] = await peakOf(worker, () => client.workflow.execute('restoreBackup', {
        taskQueue: config.temporal.taskQueue, workflowId: id(what), args: [{ type: 'postgres', target: ctx.bench, backupId: manifest.backupId, ...(jobs ? { jobs } : {}) }],
      }) as Promise<RestoreBackupResult>);
      if (!restored.ok) throw new Error(`restore failed: ${JSON.stringify(restored.targets)}`);
      const t = restored.targets[0]!;
      const d = t.durations;
      const phases = `verify ${secs(d.verifyMs)}, restore ${secs(d.restoreMs)}, prove ${secs(d.proveMs)}; ${t.notes.filter((n) => /phases:|with pg_restore/.test(n)).join('; ')}`;
      log(`  restore${jobs ? ` --jobs ${jobs}` : ''} ${secs(ms)} (${phases})`);
      await dropRestoredCopies(ctx.bench);
      return { ms, peakRss, phases };
    };
    const restore = await restoreOnce('restore');
    const restoreJobs = ctx.restoreJobs ? await restoreOnce('restore-jobs', ctx.restoreJobs) : undefined;
    return {
      variant, idleRss, emptyCycleMs,
      backup: { ms: backupMs, peakRss: backupPeak, storedBytes: art.sizeBytes, dumpMs: manifest.durations.dumpMs, validateMs: manifest.durations.validateMs, encoding: String(art.meta?.compression ?? (art.encoding ?? (art.compressed ? 'gzip' : 'none'))) },
      restore, ...(restoreJobs ? { restoreJobs } : {}),
    };
  } finally {
    await client.connection.close().catch(() => undefined);
    await worker.stop();
  }
}

/** The databases restoreBackup created (<bench>_restore_<stamp>). */
export async function dropRestoredCopies(bench: string): Promise<void> {
  const copies = await withPg(adminTarget(), (c) => c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${bench}\\_restore\\_%`]));
  for (const { datname } of copies.rows) await withPg(adminTarget(), (c) => c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`));
}
