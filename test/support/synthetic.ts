/**
 * Synthetic backups with injected timestamps: a tiny artifact, its sidecar and a manifest in the bucket, and a
 * success row in backup_history, exactly as a real cycle leaves them, so retention can be tested over a year
 * of history without waiting a year.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../../catalog/catalog';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest } from '../../storage/format/manifest';
import { SET_FORMAT, SET_VERSION, setIdFor, setKey, type BackupSet } from '../../storage/format/backup-set';
import { artifactKey, backupIdFor, manifestKey, sidecarKey, sidecarText } from '../../storage/layout';
import type { ObjectStore } from '../../storage/s3';

export async function syntheticBackup(store: ObjectStore, catalog: Catalog, target: string, at: Date, workflowId: string): Promise<string> {
  const backupId = backupIdFor('postgres', target, at);
  const key = artifactKey(backupId, '', 'dump');
  const body = `synthetic dump of ${backupId}\n`;
  const sha256 = createHash('sha256').update(body).digest('hex');
  await store.putText(key, body, 'application/octet-stream');
  await store.putText(sidecarKey(key), sidecarText(key, sha256), 'text/plain');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, backupId, type: 'postgres', target, workflowId, createdAt: at.toISOString(),
    sourceVersion: 'PostgreSQL 15 (synthetic)', consistency: { at: at.toISOString() }, counts: { tables: { 'public.t': 1 } },
    artifacts: [{ part: '', key, sizeBytes: body.length, sha256, compressed: false, sidecarKey: sidecarKey(key) }],
    totalSizeBytes: body.length, checksum: sha256, durations: { dumpMs: 1, validateMs: 1, totalMs: 2 },
    validation: { checkedAt: at.toISOString(), checks: ['synthetic'] },
  };
  await store.putText(manifestKey(backupId), JSON.stringify(manifest), 'application/json');
  await catalog.pool.query(
    `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, size_bytes, checksum, status, object_key, manifest_key, workflow_id, finished_at)
     VALUES ($1, 'postgres', $2, $3, $4, $5, 'success', $6, $7, $8, $3)`,
    [backupId, target, at, body.length, sha256, key, manifestKey(backupId), workflowId]);
  return backupId;
}

/** A backup set document in the bucket, as a cycle writes it. */
export async function syntheticSet(store: ObjectStore, at: Date, members: { target: string; backupId: string }[], complete: boolean): Promise<string> {
  const setId = setIdFor(at, 'aaaaaaaa-0000');
  const set: BackupSet = {
    format: SET_FORMAT, version: SET_VERSION, setId, workflowId: `set-wf-${setId}`, startedAt: at.toISOString(), finishedAt: at.toISOString(), complete,
    members: members.map((m) => ({ target: m.target, type: 'postgres', status: complete ? 'success' : 'failed', backupId: m.backupId, manifestKey: manifestKey(m.backupId) })),
    skewMs: 0,
  };
  await store.putText(setKey(setId), JSON.stringify(set), 'application/json');
  return setId;
}

/** Every manifest in the bucket names only objects that exist: "a manifest means a complete backup". */
export async function manifestsPointingAtMissing(store: ObjectStore): Promise<string[]> {
  const keys = new Set((await store.list('')).map((o) => o.key));
  const broken: string[] = [];
  for (const key of [...keys].filter((k) => k.endsWith('.manifest.json'))) {
    const m = JSON.parse(await store.getText(key)) as Manifest;
    for (const a of m.artifacts) if (!keys.has(a.key) || !keys.has(a.sidecarKey)) broken.push(`${key} -> ${keys.has(a.key) ? a.sidecarKey : a.key}`);
  }
  return broken;
}
