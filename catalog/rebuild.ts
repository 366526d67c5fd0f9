/**
 * Rebuilds the catalog from the bucket alone: every manifest is a validated backup, so each one becomes (or
 * refreshes) a `success` row; backup sets, restore reports and drill reports re-create backup_sets,
 * restore_history and dr_drill_history; protection markers re-protect their backups. Rows for backups without a
 * manifest are left as they are.
 */
import { parseManifest, type Manifest } from '../storage/format/manifest';
import { parseSet, SETS_PREFIX } from '../storage/format/backup-set';
import { DRILL_REPORT_FORMAT, DRILLS_PREFIX, parseReport, RESTORE_REPORT_FORMAT, RESTORES_PREFIX, type DrillReport, type RestoreReport } from '../storage/format/reports';
import { catalogObjectKey, parseBackupId } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import type { Catalog } from './catalog';
import { upsertDrill, upsertRestore, upsertSet } from './history';
import { recordProtection } from './retention';
import { parseProtection } from '../storage/format/protection';
import { triggerOf } from '../retention/trigger';

export interface RebuildReport {
  manifests: number;
  inserted: number;
  updated: number;
  sets: number;
  restores: number;
  drills: number;
  protected: number;
  unreadable: string[];
}

/** `scheduleId` tells scheduled backups from manual ones (the manifest records the workflow that took each). */
export async function rebuildCatalog(store: BackupStore, catalog: Catalog, scheduleId = 'cairn-backup-cycle'): Promise<RebuildReport> {
  await catalog.migrate();
  const report: RebuildReport = { manifests: 0, inserted: 0, updated: 0, sets: 0, restores: 0, drills: 0, protected: 0, unreadable: [] };
  const keys = (await store.list('')).map((o) => o.key);
  for (const key of keys.filter((k) => k.endsWith('.manifest.json'))) {
    report.manifests++;
    let m: Manifest;
    try {
      m = parseManifest(await store.getText(key), key);
    } catch {
      report.unreadable.push(key);
      continue;
    }
    // An adopted backup (storage/format/adopted.ts) was taken by its legacy schedule.
    if (await upsertBackup(catalog, m, key, m.adopted ? 'scheduled' : triggerOf(m.workflowId, scheduleId))) report.inserted++;
    else report.updated++;
  }
  // After the backups, so each marker finds its backup's row.
  for (const key of keys.filter((k) => k.endsWith('.protected.json'))) {
    try {
      const marker = parseProtection(await store.getText(key), key);
      await recordProtection(catalog.pool, marker.backupId, marker);
      report.protected++;
    } catch {
      report.unreadable.push(key);
    }
  }
  // Sets after backups: a set links its members' rows.
  const documents: [string, (text: string, key: string) => Promise<unknown>, 'sets' | 'restores' | 'drills'][] = [
    [SETS_PREFIX, (t, k) => upsertSet(catalog.pool, parseSet(t, k), k), 'sets'],
    [RESTORES_PREFIX, (t, k) => upsertRestore(catalog.pool, parseReport<RestoreReport>(t, k, RESTORE_REPORT_FORMAT), k), 'restores'],
    [DRILLS_PREFIX, (t, k) => upsertDrill(catalog.pool, parseReport<DrillReport>(t, k, DRILL_REPORT_FORMAT), k), 'drills'],
  ];
  for (const [prefix, upsert, counter] of documents) {
    for (const key of keys.filter((k) => k.startsWith(prefix) && k.endsWith('.json'))) {
      try {
        await upsert(await store.getText(key), key);
        report[counter]++;
      } catch {
        report.unreadable.push(key);
      }
    }
  }
  return report;
}

async function upsertBackup(catalog: Catalog, m: Manifest, key: string, trigger: string): Promise<boolean> {
  const res = await catalog.pool.query<{ inserted: boolean }>(
    `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, size_bytes, checksum, status, object_key, manifest_key,
       workflow_id, duration_ms, counts, finished_at, set_id, trigger, origin, adopted_from, legacy_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'success', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (backup_id) DO UPDATE SET status = 'success', error_message = NULL, size_bytes = EXCLUDED.size_bytes,
       checksum = EXCLUDED.checksum, object_key = EXCLUDED.object_key, manifest_key = EXCLUDED.manifest_key,
       counts = EXCLUDED.counts, set_id = coalesce(EXCLUDED.set_id, backup_history.set_id),
       trigger = coalesce(backup_history.trigger, EXCLUDED.trigger), origin = coalesce(backup_history.origin, EXCLUDED.origin),
       adopted_from = coalesce(backup_history.adopted_from, EXCLUDED.adopted_from), legacy_id = coalesce(backup_history.legacy_id, EXCLUDED.legacy_id),
       updated_at = now()
     RETURNING (xmax = 0) AS inserted`,
    [m.backupId, m.type, m.target, parseBackupId(m.backupId)?.at ?? new Date(m.createdAt), m.totalSizeBytes, m.checksum, catalogObjectKey(m.artifacts, key), key, m.workflowId,
      m.durations.totalMs, JSON.stringify(m.counts), m.validation.checkedAt, m.setId ?? null, trigger,
      m.adopted ? 'adopted' : null, m.adopted?.from ?? null, m.adopted?.legacyId ?? null]);
  return res.rows[0]!.inserted;
}
