/** Recording a cycle as a backup set: its members, each one's consistency point, and the skew between them. */
import type { Catalog } from '../catalog/catalog';
import { upsertSet } from '../catalog/history';
import { BackupLocator } from '../catalog/locate';
import { SET_FORMAT, SET_VERSION, setKey, skewOf, type BackupSet, type SetMember } from '../storage/format/backup-set';
import type { BackupStore } from '../storage/store';
import { consistencyAt } from './consistency';
import { withFailureMapping } from './failures';
import type { TargetBackupResult } from './types';

export function setActivities({ store, catalog }: { store: BackupStore; catalog: Catalog }) {
  const locator = new BackupLocator(store, catalog);
  return {
    /** The set document goes to the bucket (restores find it there alone), then into backup_sets. Idempotent. */
    async commitSet(input: { setId: string; workflowId: string; startedAt: string; results: TargetBackupResult[] }): Promise<{ setKey: string; complete: boolean; skewMs: number }> {
      return withFailureMapping(() => writeSet(input));
    },
  };

  async function writeSet(input: { setId: string; workflowId: string; startedAt: string; results: TargetBackupResult[] }) {
    const members: SetMember[] = [];
    for (const r of input.results) {
      const member: SetMember = { target: r.target, type: r.type, status: r.status, ...(r.backupId ? { backupId: r.backupId } : {}), ...(r.error ? { error: r.error } : {}) };
      if (r.status === 'success' && r.manifestKey && r.backupId) {
        const at = consistencyAt(await locator.readManifest(r.manifestKey, r.backupId));
        Object.assign(member, { manifestKey: r.manifestKey, ...(at ? { consistencyAt: at } : {}) });
      }
      members.push(member);
    }
    const set: BackupSet = {
      format: SET_FORMAT, version: SET_VERSION, setId: input.setId, workflowId: input.workflowId, startedAt: input.startedAt,
      finishedAt: new Date().toISOString(), complete: members.length > 0 && members.every((m) => m.status === 'success'), members, skewMs: skewOf(members),
    };
    const key = setKey(input.setId);
    await store.putText(key, JSON.stringify(set, null, 2) + '\n', 'application/json');
    await upsertSet(catalog.pool, set, key);
    return { setKey: key, complete: set.complete, skewMs: set.skewMs };
  }
}
