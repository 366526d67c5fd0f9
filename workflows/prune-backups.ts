/**
 * pruneBackups: applies each target's retention policy (on its own daily schedule, or `cairn prune`), then
 * clears orphans and unfinished uploads. Each backup is deleted by its own activity, so a worker dying
 * mid-delete costs one retry of that backup, never a manifest pointing at a missing object.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TargetPlan } from '../retention/plan';
import { TARGET_NAME, validateInput } from './validate-input';
import { pruneStep, sweeping } from './prune-policies';

const { planRetention, deleteBackup } = proxyActivities<Activities>(pruneStep);
const { cleanLeftovers } = proxyActivities<Activities>(sweeping);

export interface PruneBackupsInput {
  version?: 1;
  /** one target's backups; absent means every configured target */
  target?: string;
  /** plan and report only: nothing is deleted */
  dryRun?: boolean;
}

export interface PruneBackupsResult {
  version: 1;
  dryRun: boolean;
  plans: TargetPlan[];
  /** backups deleted (or, in a dry run, that would be) */
  deleted: string[];
  orphans: string[];
  uploads: string[];
}

export async function pruneBackups(raw: PruneBackupsInput = {}): Promise<PruneBackupsResult> {
  const input = validateInput<PruneBackupsInput>('pruneBackups', raw, {
    target: { type: 'string', pattern: TARGET_NAME, hint: 'a configured target name' },
    dryRun: { type: 'boolean' },
  });
  const dryRun = input.dryRun ?? false;
  const plans = await planRetention({ targets: input.target ? [input.target] : [] });
  const doomed = plans.flatMap((p) => p.backups.filter((b) => !b.keep).map((b) => b.backupId));
  if (!dryRun) for (const backupId of doomed) await deleteBackup({ backupId, how: 'expired' });
  const leftovers = await cleanLeftovers({ dryRun, ...(input.target ? { target: input.target } : {}) });
  return { version: 1, dryRun, plans, deleted: doomed, ...leftovers };
}
