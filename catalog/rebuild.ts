/**
 * Rebuilds backup_history from the bucket alone: every manifest is a validated backup, so each one becomes
 * (or refreshes) a `success` row. Rows for backups without a manifest are left as they are.
 */
import type { Manifest } from '../activities/types';
import { catalogObjectKey, parseBackupId } from '../storage/layout';
import type { ObjectStore } from '../storage/s3';
import type { Catalog } from './catalog';

export interface RebuildReport {
  manifests: number;
  inserted: number;
  updated: number;
  unreadable: string[];
}

export async function rebuildCatalog(store: ObjectStore, catalog: Catalog): Promise<RebuildReport> {
  await catalog.migrate();
  const report: RebuildReport = { manifests: 0, inserted: 0, updated: 0, unreadable: [] };
  for (const { key } of await store.list('')) {
    if (!key.endsWith('.manifest.json')) continue;
    report.manifests++;
    let m: Manifest;
    try {
      m = JSON.parse(await store.getText(key)) as Manifest;
      if (m.format !== 'cairn-backup-manifest' || !m.backupId) throw new Error('not a Cairn manifest');
    } catch {
      report.unreadable.push(key);
      continue;
    }
    const res = await catalog.pool.query<{ inserted: boolean }>(
      `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, size_bytes, checksum, status, object_key, manifest_key,
         workflow_id, duration_ms, counts, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'success', $7, $8, $9, $10, $11, $12)
       ON CONFLICT (backup_id) DO UPDATE SET status = 'success', error_message = NULL, size_bytes = EXCLUDED.size_bytes,
         checksum = EXCLUDED.checksum, object_key = EXCLUDED.object_key, manifest_key = EXCLUDED.manifest_key,
         counts = EXCLUDED.counts, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [m.backupId, m.type, m.target, parseBackupId(m.backupId)?.at ?? new Date(m.createdAt), m.totalSizeBytes, m.checksum, catalogObjectKey(m.artifacts, key), key, m.workflowId,
        m.durations.totalMs, JSON.stringify(m.counts), m.validation.checkedAt]);
    if (res.rows[0]!.inserted) report.inserted++;
    else report.updated++;
  }
  return report;
}
