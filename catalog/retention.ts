/** backup_history as retention and protection see it: live backups per target, and how each one ended. */
import type { Pool } from 'pg';
import type { Catalog } from './catalog';
import type { BackupTrigger } from '../config/retention';
import type { ProtectionMarker } from '../storage/format/protection';

export interface LiveBackup {
  backup_id: string;
  timestamp: Date;
  trigger: BackupTrigger | null;
  workflow_id: string | null;
  protected_at: Date | null;
}

/** Successful backups of `target` whose objects are still in the bucket, newest first. */
export async function liveBackups(pool: Pool, target: string): Promise<LiveBackup[]> {
  return (await pool.query<LiveBackup>(
    `SELECT backup_id, timestamp, trigger, workflow_id, protected_at FROM backup_history
     WHERE target = $1 AND status = 'success' AND expired_at IS NULL AND deleted_at IS NULL
     ORDER BY timestamp DESC, backup_id DESC`, [target])).rows;
}

/** Backups still being written: their objects have no manifest yet and are not orphans. */
export async function runningBackupIds(pool: Pool): Promise<Set<string>> {
  return new Set((await pool.query<{ backup_id: string }>(`SELECT backup_id FROM backup_history WHERE status = 'running'`)).rows.map((r) => r.backup_id));
}

/** Retention removed it (expired) or an operator did (deleted); the row stays, so history stays true. */
export async function markGone(pool: Pool, backupId: string, how: 'expired' | 'deleted'): Promise<void> {
  const column = how === 'expired' ? 'expired_at' : 'deleted_at';
  await pool.query(`UPDATE backup_history SET ${column} = now(), updated_at = now() WHERE backup_id = $1 AND ${column} IS NULL`, [backupId]);
}

export async function recordProtection(pool: Pool, backupId: string, marker: ProtectionMarker | undefined): Promise<void> {
  await pool.query('UPDATE backup_history SET protected_at = $2, protected_reason = $3, updated_at = now() WHERE backup_id = $1',
    [backupId, marker ? new Date(marker.protectedAt) : null, marker?.reason ?? null]);
}

/** Where an adopted backup's manifest and archive lie (cairn adopt keeps them in the legacy layout); undefined for Cairn's own. */
export async function adoptedKeysOf(catalog: Catalog, backupId: string): Promise<{ manifestKey: string; objectKey: string } | undefined> {
  const row = await catalog.get(backupId);
  return row?.origin === 'adopted' && row.manifest_key && row.object_key ? { manifestKey: row.manifest_key, objectKey: row.object_key } : undefined;
}
