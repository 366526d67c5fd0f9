/**
 * Backup sets, restores and drills in the metadata database. Each row is a copy of a document in the bucket
 * (set manifest, restore report, drill report), so upserting the same document twice changes nothing, and
 * `cairn catalog rebuild` can re-create every row from the bucket alone.
 */
import type { Pool } from 'pg';
import type { BackupSet } from '../storage/format/backup-set';
import type { DrillReport, RestoreReport } from '../storage/format/reports';

export async function upsertSet(pool: Pool, set: BackupSet, key: string): Promise<boolean> {
  const res = await pool.query<{ inserted: boolean }>(
    `INSERT INTO backup_sets (set_id, workflow_id, started_at, finished_at, complete, skew_ms, members, set_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (set_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, complete = EXCLUDED.complete,
       skew_ms = EXCLUDED.skew_ms, members = EXCLUDED.members, set_key = EXCLUDED.set_key
     RETURNING (xmax = 0) AS inserted`,
    [set.setId, set.workflowId, set.startedAt, set.finishedAt, set.complete, set.skewMs, JSON.stringify(set.members), key]);
  for (const m of set.members) {
    if (m.backupId) await pool.query('UPDATE backup_history SET set_id = $1 WHERE backup_id = $2 AND set_id IS DISTINCT FROM $1', [set.setId, m.backupId]);
  }
  return res.rows[0]!.inserted;
}

export interface SetRow {
  set_id: string;
  workflow_id: string;
  started_at: Date;
  finished_at: Date;
  complete: boolean;
  skew_ms: string;
  members: BackupSet['members'];
  set_key: string;
}

export async function listSets(pool: Pool, opts: { completeOnly?: boolean; limit?: number } = {}): Promise<SetRow[]> {
  return (await pool.query<SetRow>(
    `SELECT * FROM backup_sets ${opts.completeOnly ? 'WHERE complete' : ''} ORDER BY started_at DESC, set_id DESC LIMIT $1`,
    [opts.limit ?? 50])).rows;
}

export async function upsertRestore(pool: Pool, r: RestoreReport, key: string): Promise<boolean> {
  const join = (f: (t: RestoreReport['targets'][number]) => string) => r.targets.map(f).join(', ');
  const res = await pool.query<{ inserted: boolean }>(
    `INSERT INTO restore_history (restore_id, workflow_id, started_at, finished_at, ok, targets, backup_ids, destinations, forced,
       validate_only, bytes_read, duration_ms, report_key, report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (restore_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, ok = EXCLUDED.ok, report = EXCLUDED.report
     RETURNING (xmax = 0) AS inserted`,
    [r.restoreId, r.workflowId, r.startedAt, r.finishedAt, r.ok, join((t) => t.target), join((t) => t.backupId), join((t) => t.destination),
      r.targets.some((t) => t.forced), r.targets.every((t) => t.validateOnly), r.targets.reduce((n, t) => n + t.bytesRead, 0),
      Date.parse(r.finishedAt) - Date.parse(r.startedAt), key, JSON.stringify(r)]);
  return res.rows[0]!.inserted;
}

export async function upsertDrill(pool: Pool, d: DrillReport, key: string): Promise<boolean> {
  const res = await pool.query<{ inserted: boolean }>(
    `INSERT INTO dr_drill_history (drill_id, workflow_id, set_id, started_at, finished_at, passed, rto_ms, rto_objective_ms, rpo_ms, reasons, report_key, report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (drill_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, passed = EXCLUDED.passed, rto_ms = EXCLUDED.rto_ms,
       rpo_ms = EXCLUDED.rpo_ms, reasons = EXCLUDED.reasons, report = EXCLUDED.report
     RETURNING (xmax = 0) AS inserted`,
    [d.drillId, d.workflowId, d.setId, d.startedAt, d.finishedAt, d.passed, d.rto.totalMs, d.rto.objectiveMs, d.rpo.maxMs,
      d.reasons.join('; '), key, JSON.stringify(d)]);
  return res.rows[0]!.inserted;
}

export interface DrillRow {
  drill_id: string;
  workflow_id: string;
  set_id: string;
  started_at: Date;
  passed: boolean;
  rto_ms: string;
  rto_objective_ms: string;
  rpo_ms: string;
  reasons: string;
  report_key: string;
}

export async function listDrills(pool: Pool, limit = 20): Promise<DrillRow[]> {
  return (await pool.query<DrillRow>('SELECT * FROM dr_drill_history ORDER BY started_at DESC LIMIT $1', [limit])).rows;
}
