/**
 * A fault scenario's own corner of the shared stack: a task queue and bucket of its own, its targets in a
 * config file, and worker processes it may kill. Nothing here stops a shared server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CairnConfig, PostgresTarget } from '../../config/types';
import { testConfig } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

export interface FaultQueue {
  config: CairnConfig;
  /** the environment a worker or the CLI of this queue runs with */
  env: Record<string, string>;
  workers: WorkerProcess[];
  startWorker(): Promise<WorkerProcess>;
  stopAll(): Promise<void>;
}

/** PostgreSQL targets as a config file's `targets:` entries. */
export function postgresEntries(targets: PostgresTarget[]) {
  return targets.map((t) => ({ type: 'postgres', name: t.name, host: t.host, port: t.port, user: t.user, password: t.password, database: t.database }));
}

export function faultQueue(label: string, targets: object[], extraEnv: Record<string, string> = {}): FaultQueue {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-faults-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ targets }));
  const base = { CAIRN_CONFIG: file, DB_RETRY_DELAY: '1', ...extraEnv };
  const config = testConfig(label, base);
  const env: Record<string, string> = { ...base, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket };
  const workers: WorkerProcess[] = [];
  return {
    config, env, workers,
    async startWorker() {
      const w = startWorkerProcess(env);
      workers.push(w);
      await w.ready;
      return w;
    },
    async stopAll() {
      for (const w of workers) await w.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every 100 ms until it answers, for at most `seconds`. */
export async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < seconds * 10; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`gave up after ${seconds} s waiting for ${what}`);
}
