/**
 * A replaced deployment's environment, run as a real worker process: the local stack's own Cairn variables
 * are blanked so the worker reads only what that deployment's environment file would give it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig } from '../../config/load';
import type { CairnConfig, PostgresTarget } from '../../config/types';
import type { BackupCycleResult } from '../../workflows/inputs';
import { ObjectStore } from '../../storage/s3';
import { startupWorkflowId } from '../../worker/startup-backup';
import { adminTarget, query } from './pg';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** test/support/stack.ts's loader env, minus the stack variables stack/lib.sh exports to every test. */
export const STACK_VARIABLES_BLANKED: Record<string, string> = Object.fromEntries(
  ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'MINIO_PORT', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY',
    'NEO4J_BOLT_PORT', 'NEO4J_USER', 'NEO4J_PASSWORD', 'QDRANT_PORT', 'QDRANT_URL', 'QDRANT_API_KEY', 'CAIRN_CONFIG'].map((k) => [k, '']));

export const suffix = () => randomUUID().slice(0, 8);

export class Deployment {
  readonly env: Record<string, string>;
  private readonly workers: WorkerProcess[] = [];
  private readonly databases: string[] = [];
  private readonly dirs: string[] = [];

  /** The deployment's documented variables go into `env`; it starts with a task queue of the test's own. */
  constructor(label: string) {
    this.env = { ...STACK_VARIABLES_BLANKED, TEMPORAL_TASK_QUEUE: `test-${label}-${suffix()}` };
  }

  /** The configuration the worker loads from `env`. */
  get config(): CairnConfig {
    return loadConfig({ ...process.env, ...this.env });
  }

  /** A database with an underscore name and `rows` rows in a table, on the stack's PostgreSQL; dropped by close(). */
  async database(name: string, rows: number): Promise<string> {
    await query(adminTarget(), `CREATE DATABASE "${name}" TEMPLATE template0`);
    this.databases.push(name);
    await query({ ...adminTarget(), database: name }, `CREATE TABLE notes (id int PRIMARY KEY, body text);
      INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, ${rows}) g`);
    return name;
  }

  /** A Docker-secret-style file holding `text` (with the trailing newline editors add). */
  secretFile(name: string, text: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'cairn-secrets-'));
    this.dirs.push(dir);
    const p = path.join(dir, name);
    writeFileSync(p, `${text}\n`);
    return p;
  }

  start(extra: Record<string, string> = {}): WorkerProcess {
    const w = startWorkerProcess({ ...this.env, ...extra });
    this.workers.push(w);
    return w;
  }

  /** The worker's start-up cycle (RUN_IMMEDIATE_BACKUP), to its end. */
  async startupCycle(client: Client): Promise<BackupCycleResult> {
    return client.workflow.getHandle(startupWorkflowId(this.config)).result() as Promise<BackupCycleResult>;
  }

  /** Every key in the bucket, ignoring the configured prefix (to see where objects really landed). */
  async bucketKeys(): Promise<string[]> {
    const storage = this.config.storage;
    // A worker relying on the SDK's default chain found its keys in files this test process does not point at.
    const keys = storage.accessKey ? {} : { accessKey: process.env.MINIO_ACCESS_KEY ?? 'cairn', secretKey: process.env.MINIO_SECRET_KEY ?? 'cairn-secret' };
    const store = new ObjectStore({ ...storage, ...keys, prefix: '' });
    try {
      const page = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket }));
      return (page.Contents ?? []).map((o) => o.Key!);
    } finally {
      store.destroy();
    }
  }

  postgres(name: string): PostgresTarget {
    return this.config.targets.find((t): t is PostgresTarget => t.type === 'postgres' && t.name === name)!;
  }

  async close(): Promise<void> {
    for (const w of this.workers) await w.kill();
    for (const d of this.databases) await query(adminTarget(), `DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
