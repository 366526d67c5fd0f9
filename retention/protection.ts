/**
 * Protecting backups, and deleting one on purpose. Protection is a marker document in the bucket (the truth,
 * so it survives losing the catalog) copied into backup_history. `forget` keeps a protected copy
 * (`_deleted_<id>`) unless told not to, and refuses a protected backup outright.
 */
import type { Catalog } from '../catalog/catalog';
import { adoptedKeysOf, markGone, recordProtection } from '../catalog/retention';
import { PermanentError } from '../engines/engine';
import { parseManifest, type Manifest } from '../storage/format/manifest';
import { PROTECTION_FORMAT, PROTECTION_VERSION, protectionKey, type ProtectionMarker } from '../storage/format/protection';
import { backupPrefix, catalogObjectKey, isProtectedId, manifestKey, parseBackupId, sidecarKey, sidecarText } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { deleteBackupObjects } from './bucket';

async function readWholeBackup(store: BackupStore, backupId: string, catalog: Catalog): Promise<Manifest> {
  if (!parseBackupId(backupId)) throw new PermanentError(`'${backupId}' is not a backup id (expected <type>_<target>_YYYYMMDD_HHMMSS, as cairn list shows)`, 'BadBackupId');
  // An adopted backup's manifest lies beside its legacy archive (cairn adopt): the catalog says where.
  const key = (await adoptedKeysOf(catalog, backupId))?.manifestKey ?? manifestKey(backupId);
  if (await store.size(key) === undefined) throw new PermanentError(`backup ${backupId} has no manifest in ${store.location} (${key}): it is not a complete backup, or it is already gone`, 'NoBackup');
  return parseManifest(await store.getText(key), key);
}

export function protectionFor(backupId: string, reason: string): ProtectionMarker {
  return { format: PROTECTION_FORMAT, version: PROTECTION_VERSION, backupId, protectedAt: new Date().toISOString(), reason };
}

export async function protectBackup(store: BackupStore, catalog: Catalog, backupId: string, reason: string): Promise<ProtectionMarker> {
  await readWholeBackup(store, backupId, catalog);
  const marker = protectionFor(backupId, reason);
  await writeProtection(store, marker);
  await recordProtection(catalog.pool, backupId, marker);
  return marker;
}

export async function writeProtection(store: BackupStore, marker: ProtectionMarker): Promise<void> {
  await store.putText(protectionKey(marker.backupId), JSON.stringify(marker, null, 2) + '\n', 'application/json');
}

export async function unprotectBackup(store: BackupStore, catalog: Catalog, backupId: string): Promise<void> {
  if (isProtectedId(backupId)) throw new PermanentError(`backup ${backupId} is protected by its name (it starts with '_'); that cannot be undone`, 'BackupProtected');
  await readWholeBackup(store, backupId, catalog);
  await store.deleteAll([protectionKey(backupId)]);
  await recordProtection(catalog.pool, backupId, undefined);
}

/** Deletes a backup on an operator's request; returns the protected copy's id when one was kept. */
export async function forgetBackup(store: BackupStore, catalog: Catalog, backupId: string, opts: { copy: boolean }): Promise<string | undefined> {
  if (isProtectedId(backupId)) throw new PermanentError(`backup ${backupId} is protected (its id starts with '_'): it is never deleted`, 'BackupProtected');
  if (await store.size(protectionKey(backupId)) !== undefined) {
    throw new PermanentError(`backup ${backupId} is protected (${protectionKey(backupId)}); run cairn unprotect ${backupId} first`, 'BackupProtected');
  }
  const manifest = await readWholeBackup(store, backupId, catalog);
  // The copy is complete (manifest last) before the original loses anything, so no crash loses the data.
  const copyId = opts.copy ? await copyBackup(store, catalog, manifest, `_deleted_${backupId}`) : undefined;
  await deleteBackupObjects(store, backupId, undefined, await adoptedKeysOf(catalog, backupId));
  await markGone(catalog.pool, backupId, 'deleted');
  return copyId;
}

/** A full copy under a new id: artifacts, sidecars naming the new files, then the manifest; and its row. */
async function copyBackup(store: BackupStore, catalog: Catalog, m: Manifest, copyId: string): Promise<string> {
  // An adopted archive keeps its legacy name, which holds no backup id: its copy goes to Cairn's own layout.
  const rename = (key: string) => (m.adopted
    ? `${backupPrefix(copyId)}.${key.slice(key.lastIndexOf('/') + 1).split('.').slice(1).join('.')}`
    : key.replace(new RegExp(`/${m.backupId}(?=\\.)`), `/${copyId}`));
  const artifacts = m.artifacts.map((a) => ({ ...a, key: rename(a.key), sidecarKey: sidecarKey(rename(a.key)) }));
  if (artifacts.some((a, i) => a.key === m.artifacts[i]!.key)) throw new PermanentError(`cannot copy backup ${m.backupId}: its copy would overwrite it`, 'CopyOverOriginal');
  for (const [i, a] of artifacts.entries()) {
    await store.copy(m.artifacts[i]!.key, a.key, a.sizeBytes);
    await store.putText(a.sidecarKey, sidecarText(a.key, a.sha256), 'text/plain');
  }
  // The copy is no member of the original's backup set.
  const copy: Manifest = { ...m, backupId: copyId, artifacts, ...(m.adopted ? { adopted: { ...m.adopted, key: artifacts[0]!.key } } : {}) };
  delete copy.setId;
  const key = manifestKey(copyId);
  await store.putText(key, JSON.stringify(copy, null, 2) + '\n', 'application/json');
  await catalog.pool.query(
    `INSERT INTO backup_history (backup_id, backup_type, target, timestamp, size_bytes, checksum, status, object_key, manifest_key,
       workflow_id, duration_ms, counts, finished_at, trigger, protected_reason)
     SELECT $2, backup_type, target, timestamp, size_bytes, checksum, 'success', $3, $4, workflow_id, duration_ms, counts, now(), trigger,
       'kept by cairn forget ' || backup_id
     FROM backup_history WHERE backup_id = $1
     ON CONFLICT (backup_id) DO NOTHING`, [m.backupId, copyId, catalogObjectKey(artifacts, key), key]);
  return copyId;
}
