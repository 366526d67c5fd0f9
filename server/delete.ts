/**
 * DELETE /backup/{key}: the key must be a backup id, nothing else, so it cannot reach outside the backup's own
 * prefix; a protected backup (id starting with '_', until the protection work lands) is refused; the manifest
 * goes first, so an interrupted delete never leaves something that looks like a complete backup.
 */
import type { Catalog } from '../catalog/catalog';
import { backupPrefix, manifestKey } from '../storage/layout';
import { httpStatus } from '../storage/s3';
import type { BackupStore } from '../storage/store';
import { HttpError, type Reply } from './http';

const BACKUP_ID = /^_?(postgres|neo4j|qdrant)_[a-z0-9][a-z0-9-]{0,62}_\d{8}_\d{6}$/;

/** The backup id in a raw path segment, or a 400 naming why it is not one. Checked before any I/O. */
export function backupIdFromKey(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid_key', 'the key is not valid percent-encoding');
  }
  if (key.includes('\0')) throw new HttpError(400, 'invalid_key', 'the key contains a NUL byte');
  if (/(^|[/\\])\.\.([/\\]|$)/.test(key) || key.startsWith('/') || key.includes('\\') || key.includes('/') || key.includes('%')) {
    throw new HttpError(400, 'invalid_key', 'the key must be a backup id (e.g. postgres_app_20261121_020000), not a path');
  }
  if (!BACKUP_ID.test(key)) throw new HttpError(400, 'invalid_key', 'the key must be a backup id like postgres_app_20261121_020000 (see GET /backup/list)');
  return key;
}

export async function deleteBackup(store: BackupStore, catalog: Catalog, raw: string): Promise<Reply> {
  const backupId = backupIdFromKey(raw);
  if (backupId.startsWith('_')) {
    throw new HttpError(409, 'protected', `backup ${backupId} is protected (its id starts with '_') and cannot be deleted through the API`);
  }
  let row: Awaited<ReturnType<Catalog['get']>>;
  let catalogError: string | undefined;
  try {
    row = await catalog.get(backupId);
  } catch {
    catalogError = 'the catalog did not answer; its row is unchanged (cairn catalog rebuild will not bring the backup back: its manifest is gone)';
  }
  if (row?.status === 'running') throw new HttpError(409, 'in_progress', `backup ${backupId} is still running`);
  const objects = (await store.list(backupPrefix(backupId)).catch((err: unknown) => {
    if (httpStatus(err) === 404) return []; // no bucket yet: nothing in it
    throw new HttpError(503, 'storage_unavailable', 'the object store did not answer; nothing was deleted');
  })).map((o) => o.key);
  if (!objects.length && !row) throw new HttpError(404, 'not_found', `no backup ${backupId} in the catalog or the bucket`);
  const manifest = manifestKey(backupId);
  await store.deleteAll([...objects.filter((k) => k === manifest), ...objects.filter((k) => k !== manifest)]);
  if (row && !catalogError) await catalog.markExpired(backupId);
  return { status: 200, json: { deleted: backupId, objects: objects.length, ...(catalogError ? { warning: catalogError } : {}) } };
}
