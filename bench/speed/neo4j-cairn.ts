/**
 * Cairn's Neo4j rows: the engine's export and restore called directly (storage is a directory, so the rows show
 * the engine's own speed), and a real worker process running backupCycle and restoreBackup end to end with its
 * peak RSS (VmHWM, reset before each workflow).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Neo4jTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { loadConfig } from '../../config/load';
import type { BackupContext, Destination, EngineBackupResult, ReadContext } from '../../engines/engine';
import { exportGraph } from '../../engines/neo4j/export';
import { restoreGraph } from '../../engines/neo4j/import';
import type { Manifest } from '../../activities/types';
import { writeArtifact } from '../../storage/artifacts';
import { FileStore } from '../../storage/fs-store';
import { readVerified } from '../../storage/verified-read';
import { ObjectStore } from '../../storage/s3';
import type { RestoreBackupResult } from '../../workflows/restore-inputs';
import { manifestOf } from '../../test/support/neo4j-graph';
import { procStatus, startWorker } from '../pg-memory';
import { cycle, peakOf } from './cairn';
import { log, secs } from './util';

export interface EngineExport { ms: number; storedBytes: number; result: EngineBackupResult; store: FileStore; dir: string }

const quiet = { heartbeat: () => undefined, signal: new AbortController().signal, log: () => undefined };

/** exportGraph into a scratch directory through storage's own write path (compression, SHA-256). */
export async function engineExport(source: Neo4jTarget): Promise<EngineExport> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-neo4j-'));
  const store = new FileStore(dir, '');
  const ctx: BackupContext = { ...quiet, writeArtifact: (spec, stream) => writeArtifact(store, 'neo4j_bench_20260101_000000', spec, stream) };
  const began = Date.now();
  try {
    const result = await exportGraph(source, ctx);
    return { ms: Date.now() - began, storedBytes: result.artifacts[0]!.sizeBytes, result, store, dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** restoreGraph from that directory into an empty instance; checks the restore's proof equals the export's. */
export async function engineRestore(exp: EngineExport, source: Neo4jTarget, into: Neo4jTarget): Promise<{ ms: number }> {
  const manifest = manifestOf(exp.result, source);
  const dest: Destination<Neo4jTarget> = { target: into, label: 'bench drill instance', key: 'bench', rename: {}, created: true };
  const ctx: ReadContext = { ...quiet, open: async (a) => (await readVerified(exp.store, a)).stream };
  const began = Date.now();
  const outcome = await restoreGraph(dest, manifest, ctx, { replace: false });
  const ms = Date.now() - began;
  const want = JSON.stringify(exp.result.proof);
  if (JSON.stringify(outcome.proof) !== want) throw new Error(`restored graph's proof ${JSON.stringify(outcome.proof)} differs from the export's ${want}`);
  return { ms };
}

export const dropExport = (exp: EngineExport): void => rmSync(exp.dir, { recursive: true, force: true });

export interface WorkerRun {
  idleRss: number;
  backup: { ms: number; peakRss: number; storedBytes: number; dumpMs: number; validateMs: number };
  restore: { ms: number; peakRss: number };
}

interface WorkerContext { source: Neo4jTarget; drill: Neo4jTarget; bucket: string; queue: string; name: string; verbose: boolean }

/** backupCycle then restoreBackup (into the source's drill instance) on a real worker. */
export async function workerRun(ctx: WorkerContext): Promise<WorkerRun> {
  const env: Record<string, string> = {
    CAIRN_TARGET_TYPES: 'neo4j', NEO4J_NAME: ctx.name, NEO4J_URI: ctx.source.uri, NEO4J_PASSWORD: ctx.source.password,
    NEO4J_DRILL_URI: ctx.drill.uri, BACKUP_BUCKET: ctx.bucket, TEMPORAL_TASK_QUEUE: ctx.queue, CAIRN_APPLY_SCHEDULE_ON_START: 'false', CAIRN_CONFIG: '',
  };
  const config = loadConfig({ ...process.env, ...env });
  log(`starting a worker on ${ctx.queue}`);
  const worker = startWorker(join(__dirname, '..', '..', 'worker', 'main.js'), env, ctx.verbose, undefined);
  const client = await connectClient(config.temporal);
  try {
    await worker.ready;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRss = procStatus(worker.pid)?.rss ?? 0;
    const [result, backupMs, backupPeak] = await peakOf(worker, () => cycle(client, ctx.queue, `${ctx.queue}-backup`, ctx.name));
    const store = new ObjectStore(config.storage);
    const manifest = JSON.parse(await store.getText(result.results[0]!.manifestKey!).finally(() => store.destroy())) as Manifest;
    log(`  worker backup ${secs(backupMs)} (export+upload ${secs(manifest.durations.dumpMs)}, validation ${secs(manifest.durations.validateMs)})`);
    const [restored, restoreMs, restorePeak] = await peakOf(worker, () => client.workflow.execute('restoreBackup', {
      taskQueue: ctx.queue, workflowId: `${ctx.queue}-restore`, args: [{ type: 'neo4j', target: ctx.name, backupId: manifest.backupId }],
    }) as Promise<RestoreBackupResult>);
    if (!restored.ok) throw new Error(`restore failed: ${JSON.stringify(restored)}`);
    log(`  worker restore ${secs(restoreMs)}`);
    return {
      idleRss,
      backup: { ms: backupMs, peakRss: backupPeak, storedBytes: manifest.artifacts[0]!.sizeBytes, dumpMs: manifest.durations.dumpMs, validateMs: manifest.durations.validateMs },
      restore: { ms: restoreMs, peakRss: restorePeak },
    };
  } finally {
    await client.connection.close().catch(() => undefined);
    await worker.stop();
  }
}
