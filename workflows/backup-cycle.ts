/** The backup cycle: back up every target (or the chosen ones) in parallel, then report each one's outcome. */
import {
  ApplicationFailure, CancellationScope, defineQuery, isCancellation, patched, proxyActivities, setHandler, workflowInfo,
  type ActivityOptions, type RetryPolicy,
} from '@temporalio/workflow';
import { setIdFor } from '../storage/format/backup-set';
import type { Activities } from '../activities';
import type { TargetBackupResult, TargetRef } from '../activities/types';
import type { BackupCycleInput, BackupCycleResult, CycleProgress, TargetPhase } from './inputs';
import { bookkeeping, dumping, pruning, validating, withRetry, type StepRetries } from './policies';
import { mapWithConcurrency } from './concurrency';
import { TARGET_NAME, validateInput, type InputSchema } from './validate-input';

const steps = proxyActivities<Activities>(bookkeeping);

export const progressQuery = defineQuery<CycleProgress>('progress');

export const BACKUP_CYCLE_INPUT: InputSchema = { targets: { type: 'stringList', pattern: TARGET_NAME, hint: 'target names' }, protect: { type: 'boolean' } };
// Patches: runs started before these changes replay exactly as they ran (no input check, the fixed policies).
const VALIDATED_INPUT = 'cairn-validated-input';
const RETRY_WINDOW = 'cairn-retry-window';

export async function backupCycle(raw: BackupCycleInput = {}): Promise<BackupCycleResult> {
  // Cycles started before backup sets existed replay without one.
  const setId = patched('backup-sets') ? setIdFor(workflowInfo().startTime, workflowInfo().runId) : undefined;
  const input = patched(VALIDATED_INPUT) ? validateInput<BackupCycleInput>('backupCycle', raw, BACKUP_CYCLE_INPUT) : raw;
  const plan = await steps.planBackup(input.targets ?? []);
  const retries = patched(RETRY_WINDOW) ? plan.retries : undefined;
  const progress: CycleProgress = { targets: plan.targets.map((t) => ({ target: t.name, type: t.type, phase: 'waiting' })) };
  setHandler(progressQuery, () => progress);
  const mark = (target: string, phase: TargetPhase, extra: { backupId?: string; error?: string } = {}) =>
    Object.assign(progress.targets.find((p) => p.target === target)!, { phase, ...extra });

  const results = await mapWithConcurrency(plan.targets, plan.concurrency, (t) => backupTarget(t, targetSteps(t.name, retries), mark, setId, input.protect === true));
  const outcome: BackupCycleResult = { version: 1, results, pruned: [] };
  if (setId) {
    try {
      const set = await targetSteps('', retries).set({ setId, workflowId: workflowInfo().workflowId, startedAt: workflowInfo().startTime.toISOString(), results });
      Object.assign(outcome, { setId, setComplete: set.complete });
    } catch (err) {
      outcome.setError = describe(err);
    }
  }
  try {
    const prune = await targetSteps('', retries).prune({ targets: plan.targets.map((t) => t.name) });
    // Histories recorded before pruning reported kept backups hold a plain list.
    outcome.pruned = Array.isArray(prune) ? prune as string[] : prune.pruned;
    if (!Array.isArray(prune) && prune.kept.length) outcome.kept = prune.kept.map(({ backupId, reason }) => ({ backupId, reason }));
  } catch (err) {
    outcome.pruneError = describe(err);
  }

  const failed = results.filter((r) => r.status === 'failed');
  const problems = failed.map((r) => `${r.target}: ${r.error}`);
  if (outcome.pruneError) problems.push(`pruning expired backups: ${outcome.pruneError}`);
  if (outcome.setError) problems.push(`recording backup set ${setId}: ${outcome.setError}`);
  if (problems.length) {
    const summary = failed.length ? `${failed.length} of ${results.length} target(s) failed` : 'all targets backed up, but';
    throw ApplicationFailure.nonRetryable(`${summary}: ${problems.join('; ')}`, 'BackupCycleFailed', outcome);
  }
  return outcome;
}

/**
 * One target's activities with the planned retry policies, each with the id `<target>/<step>` so a pending
 * retry (describe()) says whose it is; without planned policies, the fixed ones and Temporal's default ids.
 */
function targetSteps(target: string, retries: StepRetries | undefined) {
  const step = (base: ActivityOptions, retry: RetryPolicy | undefined, id: string) =>
    proxyActivities<Activities>(retries ? { ...withRetry(base, retry), activityId: target ? `${target}/${id}` : id } : base);
  return {
    begin: step(bookkeeping, retries?.bookkeeping, 'begin').beginBackup,
    dump: step(dumping, retries?.dumping, 'dump').dumpTarget,
    validate: step(validating, retries?.validating, 'validate').validateBackup,
    commit: step(bookkeeping, retries?.bookkeeping, 'commit').commitBackup,
    fail: step(bookkeeping, retries?.bookkeeping, 'fail').failBackup,
    prune: step(pruning, retries?.pruning, 'prune').pruneExpired,
    set: step(bookkeeping, retries?.bookkeeping, 'set').commitSet,
  };
}

/** One target, start to end. Never throws: its outcome is a result, so other targets carry on. */
async function backupTarget(t: TargetRef, act: ReturnType<typeof targetSteps>, mark: (target: string, phase: TargetPhase, extra?: { backupId?: string; error?: string }) => void, setId?: string, protect = false): Promise<TargetBackupResult> {
  const { workflowId, runId, startTime } = workflowInfo();
  const began = Date.now();
  let backupId: string | undefined;
  try {
    mark(t.name, 'starting');
    backupId = await act.begin({ target: t.name, workflowId, runId, startedAt: startTime.toISOString() });
    mark(t.name, 'dumping', { backupId });
    const dump = await act.dump({ target: t.name, backupId });
    mark(t.name, 'validating');
    const validateStart = Date.now();
    const checks = await act.validate({ target: t.name, artifacts: dump.artifacts, counts: dump.counts });
    mark(t.name, 'committing');
    const result = await act.commit({ target: t.name, backupId, workflowId, dump, checks, validateMs: Date.now() - validateStart, ...(setId ? { setId } : {}), ...(protect ? { protect } : {}) });
    mark(t.name, 'success');
    return result;
  } catch (err) {
    const error = describe(err);
    mark(t.name, 'failed', { error });
    if (backupId) {
      const id = backupId;
      // Record the failure and clean up even when the cycle itself is being cancelled.
      await CancellationScope.nonCancellable(() => act.fail({ backupId: id, error, durationMs: Date.now() - began }));
    }
    if (isCancellation(err)) throw err;
    return { target: t.name, type: t.type, status: 'failed', error, ...(backupId ? { backupId } : {}) };
  }
}

/** The innermost message: an activity failure wraps the error that says what really went wrong. */
function describe(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message || String(err);
}
