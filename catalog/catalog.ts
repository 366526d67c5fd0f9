/** backup_history in PostgreSQL: the operator's catalog of every backup and how it ended. */
import { Pool } from 'pg';
import type { MetadataConfig, TargetType } from '../config/types';
import type { BackupTrigger } from '../config/retention';
import type { Counts } from '../engines/engine';
import { backupIdFor } from '../storage/layout';
import { migrations } from './migrations';

export interface BackupRow {
  backup_id: string;
  backup_type: TargetType;
  target: string;
  timestamp: Date;
  size_bytes: string | null;
  checksum: string | null;
  status: 'running' | 'success' | 'failed';
  error_message: string | null;
  object_key: string | null;
  manifest_key: string | null;
  workflow_id: string | null;
  duration_ms: string | null;
  counts: Counts | null;
  created_at: Date;
  finished_at: Date | null;
  expired_at: Date | null;
  trigger: BackupTrigger | null;
  deleted_at: Date | null;
  protected_at: Date | null;
  protected_reason: string | null;
  /** 'adopted' for an archive cairn adopt took over from a legacy deployment; null for Cairn's own */
  origin: 'adopted' | null;
  adopted_from: string | null;
  legacy_id: string | null;
}

export interface ListFilter {
  type?: TargetType;
  target?: string;
  status?: string;
  limit?: number;
}

export class Catalog {
  readonly pool: Pool;

  constructor(config: MetadataConfig) {
    this.pool = new Pool({
      host: config.host, port: config.port, user: config.user, password: config.password, database: config.database,
      max: 4, connectionTimeoutMillis: 10_000, application_name: 'cairn-catalog',
    });
    // An idle client's error (e.g. the server restarting) must not crash the worker; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Applies pending migrations under an advisory lock, so concurrent workers do not race. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', ['cairn-migrations']);
      await client.query(`CREATE TABLE IF NOT EXISTS cairn_schema_migrations (
        id INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ id: number }>('SELECT id FROM cairn_schema_migrations')).rows.map((r) => r.id));
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO cairn_schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
        await client.query('COMMIT');
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['cairn-migrations']).catch(() => undefined);
      client.release();
    }
  }

  /**
   * Records a backup as running and returns its id. Idempotent per (workflow, target): a retry gets the same id.
   * When another run already took the id for that second, the next free second is used, so ids stay unique.
   */
  async begin(type: TargetType, target: string, run: { workflowId: string; runId: string; trigger?: BackupTrigger }, startedAt: Date): Promise<string> {
    const mine = async () => (await this.pool.query<{ backup_id: string }>(
      'SELECT backup_id FROM backup_history WHERE run_id = $1 AND target = $2', [run.runId, target])).rows[0]?.backup_id;
    const existing = await mine();
    if (existing) return existing;
    for (let offset = 0; offset < 60; offset++) {
      // Whole seconds, so the row's timestamp is exactly the time its id and object keys were made from.
      const at = new Date(Math.floor(startedAt.getTime() / 1000) * 1000 + offset * 1000);
      const backupId = backupIdFor(type, target, at);
      const res = await this.pool.query(
        `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, status, workflow_id, run_id, trigger)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) ON CONFLICT DO NOTHING`,
        [backupId, type, target, at, run.workflowId, run.runId, run.trigger ?? null]);
      if (res.rowCount === 1) return backupId;
      // A concurrent retry of this same step may have won the insert.
      const raced = await mine();
      if (raced) return raced;
    }
    throw new Error(`could not find a free backup id for ${type}/${target} near ${startedAt.toISOString()}`);
  }

  async succeed(backupId: string, fields: { sizeBytes: number; checksum: string; objectKey: string; manifestKey: string; durationMs: number; counts: Counts }): Promise<void> {
    await this.pool.query(
      `UPDATE backup_history SET status = 'success', error_message = NULL, size_bytes = $2, checksum = $3, object_key = $4,
         manifest_key = $5, duration_ms = $6, counts = $7, finished_at = now(), updated_at = now()
       WHERE backup_id = $1`,
      [backupId, fields.sizeBytes, fields.checksum, fields.objectKey, fields.manifestKey, fields.durationMs, JSON.stringify(fields.counts)]);
  }

  /** Marks a backup failed; a backup already recorded as successful is never downgraded by a late retry. */
  async fail(backupId: string, errorMessage: string, durationMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE backup_history SET status = 'failed', error_message = $2, duration_ms = $3, finished_at = now(), updated_at = now()
       WHERE backup_id = $1 AND status <> 'success'`,
      [backupId, errorMessage.slice(0, 4000), durationMs]);
  }

  /**
   * Successful backups of `target` older than the retention window, oldest first, never including the
   * target's newest successful backup: retention must not leave a target with nothing to restore.
   */
  async expired(target: string, retentionDays: number): Promise<string[]> {
    const res = await this.pool.query<{ backup_id: string }>(
      `SELECT backup_id FROM backup_history
       WHERE target = $1 AND status = 'success' AND expired_at IS NULL AND timestamp < now() - make_interval(days => $2)
         AND backup_id <> (SELECT backup_id FROM backup_history WHERE target = $1 AND status = 'success' AND expired_at IS NULL
                           ORDER BY timestamp DESC, backup_id DESC LIMIT 1)
       ORDER BY timestamp`, [target, retentionDays]);
    return res.rows.map((r) => r.backup_id);
  }

  async markExpired(backupId: string): Promise<void> {
    await this.pool.query('UPDATE backup_history SET expired_at = now(), updated_at = now() WHERE backup_id = $1 AND expired_at IS NULL', [backupId]);
  }

  async get(backupId: string): Promise<BackupRow | undefined> {
    return (await this.pool.query<BackupRow>('SELECT * FROM backup_history WHERE backup_id = $1', [backupId])).rows[0];
  }

  async list(filter: ListFilter = {}): Promise<BackupRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.type) { args.push(filter.type); where.push(`backup_type = $${args.length}`); }
    if (filter.target) { args.push(filter.target); where.push(`target = $${args.length}`); }
    if (filter.status) { args.push(filter.status); where.push(`status = $${args.length}`); }
    args.push(filter.limit ?? 50);
    const sql = `SELECT * FROM backup_history ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY timestamp DESC, backup_id DESC LIMIT $${args.length}`;
    return (await this.pool.query<BackupRow>(sql, args)).rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
