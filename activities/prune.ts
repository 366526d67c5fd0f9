/** Retention's steps: plan by policy, delete one backup (manifest first), clear orphans and unfinished uploads. */
import { ApplicationFailure } from '@temporalio/activity';
import type { CairnConfig } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import { adoptedKeysOf, markGone, runningBackupIds } from '../catalog/retention';
import type { BackupStore } from '../storage/store';
import { deleteBackupObjects, findLeftovers, leftoverPrefix, type Leftovers } from '../retention/bucket';
import { doomed, planPrune, type TargetPlan } from '../retention/plan';
import { activityTools } from './context';
import { ObjectLockedError } from '../storage/object-lock';
import type { PruneResult } from './types';
import { withFailureMapping } from './failures';

export function pruneActivities({ config, store, catalog }: { config: CairnConfig; store: BackupStore; catalog: Catalog }) {
  const checkTargets = (names: string[]) => {
    const unknown = names.filter((n) => !config.targets.some((t) => t.name === n));
    if (unknown.length) {
      throw ApplicationFailure.nonRetryable(`unknown target(s): ${unknown.join(', ')}; configured targets: ${config.targets.map((t) => t.name).join(', ')}`, 'UnknownTarget');
    }
  };
  const deleteOne = async (backupId: string, how: 'expired' | 'deleted') => {
    const tools = activityTools();
    const adopted = await adoptedKeysOf(catalog, backupId);
    await withFailureMapping(() => deleteBackupObjects(store, backupId, (n) => tools.heartbeat({ backupId, deleted: n }), adopted));
    // (an ObjectLockedError passes through: pruneExpired reports the backup kept, deleteBackup fails non-retryably)
    // Only once every object is gone: a row marked early would hide a half-deleted backup from the next prune.
    await markGone(catalog.pool, backupId, how);
  };

  return {
    /** Every live backup of the chosen targets (all when none), and whether retention keeps it and why. */
    async planRetention(input: { targets: string[] }): Promise<TargetPlan[]> {
      checkTargets(input.targets);
      return withFailureMapping(() => planPrune(config, store, catalog, input.targets));
    },

    async deleteBackup(input: { backupId: string; how: 'expired' | 'deleted' }): Promise<void> {
      await deleteOne(input.backupId, input.how).catch((err: unknown) => {
        if (err instanceof ObjectLockedError) throw ApplicationFailure.nonRetryable(`backup ${input.backupId} kept: ${err.reason}`, 'ObjectLocked');
        throw err;
      });
    },

    /** Objects without a manifest and unfinished uploads, older than PRUNE_ORPHAN_GRACE_HOURS; removed unless dryRun. */
    async cleanLeftovers(input: { dryRun: boolean; target?: string }): Promise<{ orphans: string[]; uploads: string[] }> {
      const running = await runningBackupIds(catalog.pool);
      const found: Leftovers = await withFailureMapping(() => findLeftovers(store, leftoverPrefix(config, input.target), running, config.retention.orphanGraceHours));
      if (!input.dryRun) {
        const tools = activityTools();
        for (const key of found.orphans) { await store.deleteAll([key]); tools.heartbeat({ orphan: key }); }
        for (const u of found.uploads) { await store.abortUpload(u); tools.heartbeat({ upload: u.key }); }
      }
      return { orphans: found.orphans, uploads: found.uploads.map((u) => u.key) };
    },

    /**
     * The backup cycle's retention step (name and input kept, so running cycles replay): the retention policy
     * for the cycle's targets, unless PRUNE_AFTER_BACKUP is off.
     */
    async pruneExpired(input: { targets: string[] }): Promise<PruneResult> {
      if (!config.retention.afterBackup) return { pruned: [], kept: [] };
      const ids = doomed(await withFailureMapping(() => planPrune(config, store, catalog, input.targets)));
      const result: PruneResult = { pruned: [], kept: [] };
      for (const backupId of ids) {
        try {
          await deleteOne(backupId, 'expired');
          result.pruned.push(backupId);
        } catch (err) {
          if (!(err instanceof ObjectLockedError)) throw err;
          result.kept.push({ backupId, reason: err.reason, until: err.until.toISOString() });
        }
      }
      return result;
    },
  };
}
