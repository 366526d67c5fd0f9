/**
 * Recording an adopted backup in backup_history, once. A row the AI platform wrote for the same archive
 * (its backup_id is the file name's stem) is taken over rather than duplicated: it gets Cairn's id and
 * columns, keeps its type, time, size, checksum, status and created_at, and its first id in legacy_id.
 */
import type { Pool } from 'pg';
import { catalogObjectKey } from '../storage/layout';
import type { Manifest } from '../storage/format/manifest';

export interface LegacyRow { id: string; checksum: string | null; status: string; error_message: string | null }

/** Adopted backups are what the legacy schedule took: retention treats them as scheduled backups. */
export const ADOPTED_TRIGGER = 'scheduled';

/** The AI platform's own row for an archive, not yet taken over. */
export async function legacyRow(pool: Pool, type: string, legacyId: string | undefined): Promise<LegacyRow | undefined> {
  if (!legacyId) return undefined;
  return (await pool.query<LegacyRow>(
    `SELECT id::text, checksum, status, error_message FROM backup_history WHERE backup_id = $1 AND backup_type = $2 AND origin IS NULL
     ORDER BY id LIMIT 1`, [legacyId, type])).rows[0];
}

/** 'present' when a row for this backup exists already (a re-run), 'marked' when the legacy row was taken over. */
export async function recordAdopted(pool: Pool, m: Manifest, manifestKey: string): Promise<'present' | 'marked' | 'inserted'> {
  const a = m.adopted!;
  if ((await pool.query('SELECT 1 FROM backup_history WHERE backup_id = $1', [m.backupId])).rowCount) return 'present';
  const objectKey = catalogObjectKey(m.artifacts, manifestKey);
  const legacy = await legacyRow(pool, m.type, a.legacyId);
  if (legacy) {
    const res = await pool.query(
      `UPDATE backup_history SET legacy_id = backup_id, backup_id = $2, target = $3, object_key = $4, manifest_key = $5, workflow_id = $6,
         counts = '{}', finished_at = coalesce(finished_at, now()), trigger = $7, origin = 'adopted', adopted_from = $8, updated_at = now()
       WHERE id = $1 AND origin IS NULL`,
      [legacy.id, m.backupId, m.target, objectKey, manifestKey, m.workflowId, ADOPTED_TRIGGER, a.from]);
    if (res.rowCount) return 'marked';
  }
  const res = await pool.query(
    `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, size_bytes, checksum, status, object_key, manifest_key,
       workflow_id, duration_ms, counts, finished_at, trigger, origin, adopted_from, legacy_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'success', $7, $8, $9, 0, '{}', now(), $10, 'adopted', $11, $12)
     ON CONFLICT (backup_id) DO NOTHING`,
    [m.backupId, m.type, m.target, new Date(m.createdAt), m.totalSizeBytes, m.checksum, objectKey, manifestKey, m.workflowId,
      ADOPTED_TRIGGER, a.from, a.legacyId ?? null]);
  return res.rowCount ? 'inserted' : 'present';
}
