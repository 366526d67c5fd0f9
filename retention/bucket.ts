/**
 * Deleting from the bucket without ever breaking "a manifest means a complete backup": a backup's manifest
 * goes first, then its artifacts and sidecars, so a worker dying mid-delete leaves at worst objects without a
 * manifest (orphans, which a later prune removes), never a manifest pointing at a missing object.
 */
import type { CairnConfig } from '../config/types';
import { PermanentError } from '../engines/engine';
import { parseSet, SETS_PREFIX } from '../storage/format/backup-set';
import { protectionKey } from '../storage/format/protection';
import { backupIdOfKey, backupPrefix, isProtectedId, manifestKey } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { ObjectStore } from '../storage/s3';
import { lockedUntil } from '../storage/object-lock';

/** Deletes one backup's objects, manifest first; refuses a protected one, and one under object lock (ObjectLockedError). Idempotent: a retry finishes the job. */
export async function deleteBackupObjects(
  store: BackupStore, backupId: string, progress: (deleted: number) => void = () => undefined, adopted?: AdoptedKeys,
): Promise<number> {
  if (isProtectedId(backupId)) throw new PermanentError(`backup ${backupId} is protected (its id starts with '_'): it is never deleted`, 'BackupProtected');
  if (await store.size(protectionKey(backupId)) !== undefined) {
    throw new PermanentError(`backup ${backupId} is protected (${protectionKey(backupId)}); run cairn unprotect ${backupId} first`, 'BackupProtected');
  }
  const manifest = adopted?.manifestKey ?? manifestKey(backupId);
  const keys = [...(adopted ? await adoptedKeys(store, adopted) : []), ...(await store.list(backupPrefix(backupId))).map((o) => o.key)];
  const ordered = [...keys.filter((k) => k === manifest), ...keys.filter((k) => k !== manifest)];
  // Under S3 Object Lock the store would refuse (or only hide) them: nothing is touched before the date.
  const locked = store instanceof ObjectStore ? await lockedUntil(store, ordered) : undefined;
  if (locked) throw locked;
  for (const [i, key] of ordered.entries()) {
    await store.deleteAll([key]);
    progress(i + 1);
  }
  return ordered.length;
}

/** Where an adopted backup's objects are (cairn adopt): its manifest beside the legacy archive, and that archive. */
export interface AdoptedKeys { manifestKey: string; objectKey: string }

/**
 * The adopted backup's manifest, archive and the archive's `.sha256` sidecar, those still there. Taken from
 * the catalog row rather than the manifest, so a retry after the manifest went still finds the archive.
 */
async function adoptedKeys(store: BackupStore, a: AdoptedKeys): Promise<string[]> {
  const keys = [a.manifestKey, a.objectKey, `${a.objectKey}.sha256`];
  const present = await Promise.all(keys.map(async (k) => (await store.size(k)) !== undefined));
  return keys.filter((_, i) => present[i]);
}

/** Backup ids protected by a marker in the bucket, under `prefix` (e.g. `postgres/app/`). */
export async function markedProtected(store: BackupStore, prefix: string): Promise<Set<string>> {
  const keys = (await store.list(prefix)).map((o) => o.key).filter((k) => k.endsWith('.protected.json'));
  return new Set(keys.map(backupIdOfKey).filter((id): id is string => id !== undefined));
}

/** Members of the newest complete set, read from the bucket's `sets/` (keys sort by time), so it holds without the catalog. */
export async function newestCompleteSetMembers(store: BackupStore): Promise<Set<string>> {
  const keys = (await store.list(SETS_PREFIX)).map((o) => o.key).filter((k) => k.endsWith('.json')).sort().reverse();
  for (const key of keys) {
    const set = parseSet(await store.getText(key), key);
    if (set.complete) return new Set(set.members.map((m) => m.backupId).filter((id): id is string => Boolean(id)));
  }
  return new Set();
}

export interface Leftovers {
  /** objects of backups that have no manifest and are not being written */
  orphans: string[];
  /** unfinished multipart uploads (key and upload id) */
  uploads: { key: string; uploadId: string }[];
}

/** Orphans and unfinished uploads under `prefix` ('' for the whole bucket), older than the grace period, of backups not running. */
export async function findLeftovers(store: BackupStore, prefix: string, running: Set<string>, graceHours: number, now = new Date()): Promise<Leftovers> {
  const cutoff = now.getTime() - graceHours * 3_600_000;
  const objects = (await store.list(prefix)).filter((o) => /^(postgres|neo4j|qdrant)\//.test(o.key));
  const byBackup = new Map<string, typeof objects>();
  for (const o of objects) {
    const id = backupIdOfKey(o.key);
    if (id) byBackup.set(id, [...(byBackup.get(id) ?? []), o]);
  }
  const orphans: string[] = [];
  for (const [id, group] of byBackup) {
    // An adopted backup's manifest lies beside its legacy archive (cairn adopt), not at manifestKey(id): still whole.
    const whole = group.some((o) => o.key === manifestKey(id) || o.key.endsWith('.manifest.json'));
    const recent = group.some((o) => o.modified.getTime() > cutoff);
    if (!whole && !recent && !running.has(id)) orphans.push(...group.map((o) => o.key));
  }
  const uploads = (await store.pendingUploads(prefix)).filter((u) => {
    const id = backupIdOfKey(u.key);
    return u.initiated.getTime() <= cutoff && !(id && running.has(id));
  }).map(({ key, uploadId }) => ({ key, uploadId }));
  return { orphans: orphans.sort(), uploads };
}

/** One target's objects (`<type>/<name>/`), or the whole bucket. */
export function leftoverPrefix(config: CairnConfig, target?: string): string {
  const t = target ? config.targets.find((x) => x.name === target) : undefined;
  return t ? `${t.type}/${t.name}/` : '';
}
