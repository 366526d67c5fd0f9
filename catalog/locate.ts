/**
 * Finding backups and backup sets to restore: from the catalog when it answers, otherwise from the bucket's
 * manifests alone (the metadata database may be the very database being recovered). A backup is only ever
 * taken from its manifest in the bucket: the catalog says which one, the manifest says what it is.
 */
import type { TargetType } from '../config/types';
import { PermanentError } from '../engines/engine';
import { parseManifest, type Manifest } from '../storage/format/manifest';
import { parseSet, setKey, SETS_PREFIX, type BackupSet } from '../storage/format/backup-set';
import { manifestKey, parseBackupId } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { httpStatus } from '../storage/s3';
import type { Catalog } from './catalog';
import { listSets } from './history';

export type Source = 'catalog' | 'bucket';
export interface LocatedBackup { manifest: Manifest; manifestKey: string; from: Source }
export interface LocatedSet { set: BackupSet; setKey: string; from: Source }

export class BackupLocator {
  constructor(private readonly store: BackupStore, private readonly catalog: Catalog) {}

  async byId(backupId: string): Promise<LocatedBackup> {
    if (!parseBackupId(backupId)) {
      throw new PermanentError(`'${backupId}' is not a backup id (expected <type>_<target>_YYYYMMDD_HHMMSS, as cairn list shows)`, 'BadBackupId');
    }
    const row = await this.fromCatalog(async () => (await this.catalog.get(backupId)) ?? null);
    if (row.value && row.value.status !== 'success') {
      throw new PermanentError(`backup ${backupId} is recorded as ${row.value.status}${row.value.error_message ? ` (${row.value.error_message})` : ''}: only a successful backup can be restored`, 'BackupNotRestorable');
    }
    if (row.value?.expired_at) throw new PermanentError(`backup ${backupId} was pruned on ${row.value.expired_at.toISOString()}: its objects are gone`, 'BackupNotRestorable');
    if (row.value?.deleted_at) throw new PermanentError(`backup ${backupId} was deleted with cairn forget on ${row.value.deleted_at.toISOString()}; look for its copy _deleted_${backupId}`, 'BackupNotRestorable');
    const key = row.value?.manifest_key ?? manifestKey(backupId);
    try {
      return { manifest: await this.readManifest(key, backupId), manifestKey: key, from: row.from };
    } catch (err) {
      // Not recorded and not in Cairn's layout: an adopted backup's manifest lies beside its legacy archive.
      const beside = !row.value && err instanceof PermanentError && err.kind === 'ManifestMissing' ? await this.adoptedManifestKey(backupId) : undefined;
      if (!beside) throw err;
      return { manifest: await this.readManifest(beside, backupId), manifestKey: beside, from: 'bucket' };
    }
  }

  /** Where `cairn adopt` put a backup's manifest (beside the archive it adopted), found by listing the store. */
  private async adoptedManifestKey(backupId: string): Promise<string | undefined> {
    const name = `${backupId}.manifest.json`;
    return (await this.store.list('')).map((o) => o.key).find((k) => k === name || k.endsWith(`/${name}`));
  }

  /** The newest successful, unexpired backup of a target. */
  async latestOf(type: TargetType, target: string): Promise<LocatedBackup> {
    const row = await this.fromCatalog(async () => (await this.catalog.pool.query<{ backup_id: string; manifest_key: string }>(
      `SELECT backup_id, manifest_key FROM backup_history WHERE backup_type = $1 AND target = $2 AND status = 'success'
         AND expired_at IS NULL AND manifest_key IS NOT NULL ORDER BY timestamp DESC, backup_id DESC LIMIT 1`, [type, target])).rows[0] ?? null);
    // The catalog may also describe other buckets (one metadata database, several deployments): its answer
    // counts only when the manifest is in this bucket; otherwise the bucket's own manifests decide.
    const fromCatalog = row.value ? await this.readManifest(row.value.manifest_key, row.value.backup_id).catch(() => undefined) : undefined;
    if (fromCatalog) return { manifest: fromCatalog, manifestKey: row.value!.manifest_key, from: 'catalog' };
    // Nothing usable in the catalog (unreachable, rebuilt empty, or another bucket's): the bucket's manifests are the truth.
    const keys = (await this.store.list(`${type}/${target}/`)).map((o) => o.key).filter((k) => k.endsWith('.manifest.json'));
    const newest = keys.map((key) => ({ key, id: key.slice(key.lastIndexOf('/') + 1, -'.manifest.json'.length) }))
      .filter((k) => parseBackupId(k.id)?.target === target)
      .sort((a, b) => parseBackupId(b.id)!.at.getTime() - parseBackupId(a.id)!.at.getTime() || (b.id < a.id ? -1 : 1))[0];
    if (!newest) throw new PermanentError(`no successful backup of ${type} target '${target}' was found (catalog: ${row.from === 'catalog' ? 'none recorded' : 'unreachable'}; bucket: no manifest under ${type}/${target}/)`, 'NoBackup');
    return { manifest: await this.readManifest(newest.key, newest.id), manifestKey: newest.key, from: 'bucket' };
  }

  /** A named set, or the newest complete one. */
  async set(setId?: string): Promise<LocatedSet> {
    if (setId) {
      const key = setKey(setId);
      const set = await this.readSet(key);
      return { set, setKey: key, from: 'bucket' };
    }
    const row = await this.fromCatalog(async () => (await listSets(this.catalog.pool, { completeOnly: true, limit: 1 }))[0] ?? null);
    const fromCatalog = row.value ? await this.readSet(row.value.set_key).catch(() => undefined) : undefined;
    if (fromCatalog?.complete) return { set: fromCatalog, setKey: row.value!.set_key, from: 'catalog' };
    const keys = (await this.store.list(SETS_PREFIX)).map((o) => o.key).filter((k) => k.endsWith('.json')).sort().reverse();
    for (const key of keys) {
      const set = await this.readSet(key).catch(() => undefined);
      if (set?.complete) return { set, setKey: key, from: 'bucket' };
    }
    throw new PermanentError('no complete backup set was found (a set is complete when every target of its cycle succeeded); run a backup cycle first', 'NoBackupSet');
  }

  /** Runs a catalog lookup; an unreachable catalog is not an error here, just a reason to use the bucket. */
  private async fromCatalog<T>(lookup: () => Promise<T | null>): Promise<{ value: T | null; from: Source }> {
    try {
      return { value: await lookup(), from: 'catalog' };
    } catch {
      return { value: null, from: 'bucket' };
    }
  }

  async readManifest(key: string, backupId: string): Promise<Manifest> {
    let text: string;
    try {
      text = await this.store.getText(key);
    } catch (err) {
      if (httpStatus(err) === 404) {
        throw new PermanentError(`backup ${backupId} has no manifest (${key} is missing from the bucket): it is not a complete backup, or it was deleted`, 'ManifestMissing');
      }
      throw err;
    }
    try {
      return parseManifest(text, key);
    } catch (err) {
      throw new PermanentError((err as Error).message, 'ManifestUnreadable');
    }
  }

  private async readSet(key: string): Promise<BackupSet> {
    let text: string;
    try {
      text = await this.store.getText(key);
    } catch (err) {
      if (httpStatus(err) === 404) throw new PermanentError(`backup set ${key} is missing from the bucket`, 'NoBackupSet');
      throw err;
    }
    try {
      return parseSet(text, key);
    } catch (err) {
      throw new PermanentError((err as Error).message, 'ManifestUnreadable');
    }
  }
}
