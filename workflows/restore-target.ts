/**
 * One backup into one destination: verify every stored object, restore, prove the result equal to the backup.
 * Runs as a child workflow whose id names the destination, so two restores into the same destination never run
 * at once, whoever started them (CLI, API, Temporal UI, a drill).
 */
import { defineQuery, isCancellation, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RestoreTargetInput } from '../activities/restore-types';
import type { TargetRestoreReport } from '../storage/format/reports';
import type { RestorePhase } from './restore-inputs';
import { restoreChecking, restoreMasking, restoreVerifying, restoreWriting } from './restore-policies';
import { innermostMessage } from './errors';

const { verifyBackup } = proxyActivities<Activities>(restoreVerifying);
const { restoreToDestination } = proxyActivities<Activities>(restoreWriting);
const { proveRestore, teardownDestination } = proxyActivities<Activities>(restoreChecking);
const { maskRestored, finishMasking } = proxyActivities<Activities>(restoreMasking);

export const restorePhaseQuery = defineQuery<{ phase: RestorePhase; error?: string }>('phase');

export async function restoreTarget(input: RestoreTargetInput): Promise<TargetRestoreReport> {
  const { item } = input;
  let phase: RestorePhase = 'verifying';
  let error: string | undefined;
  setHandler(restorePhaseQuery, () => ({ phase, ...(error ? { error } : {}) }));
  const began = Date.now();
  const report: TargetRestoreReport = {
    target: item.target, type: item.type, backupId: item.backupId, destination: item.destination, created: item.created,
    forced: input.force, validateOnly: input.validateOnly, status: 'failed', verified: [], proven: false, notes: [], bytesRead: 0,
    startedAt: new Date(began).toISOString(), durations: { verifyMs: 0, restoreMs: 0, proveMs: 0, totalMs: 0 },
  };
  const finish = (status: TargetRestoreReport['status']) => {
    report.status = status;
    report.durations.totalMs = Date.now() - began;
    return report;
  };
  try {
    // Verified inside the restore step, before it touches the destination: the engine can then restore from
    // the local copy it verified (one read of the store instead of two).
    const verifyInRestore = !input.validateOnly && patched('restore-verify-in-restore-step');
    if (!verifyInRestore) {
      const verified = await verifyBackup(item);
      report.verified = verified.checks;
      report.bytesRead += verified.bytesRead;
      report.durations.verifyMs = Date.now() - began;
      if (input.validateOnly) {
        phase = 'verified';
        return finish('verified');
      }
    }
    phase = 'restoring';
    const restoreStart = Date.now();
    const restored = await restoreToDestination({
      item, force: input.force, ...(input.jobs ? { jobs: input.jobs } : {}), ...(input.keepOwnership ? { keepOwnership: true } : {}),
      ...(verifyInRestore ? { verify: true } : {}),
    });
    report.bytesRead += restored.bytesRead;
    report.notes.push(...restored.outcome.notes);
    if (restored.verified) {
      report.verified = restored.verified.checks;
      report.durations.verifyMs = restored.verified.ms ?? 0;
    }
    report.durations.restoreMs = Date.now() - restoreStart - (restored.verified ? report.durations.verifyMs : 0);
    phase = 'proving';
    const proveStart = Date.now();
    let proofError: unknown;
    try {
      report.proof = await proveRestore({ item, outcome: restored.outcome });
    } catch (err) {
      // With --mask the copy is masked even when its proof failed: an unmasked copy must not stay behind.
      if (isCancellation(err) || !input.mask) throw err;
      proofError = err;
    }
    report.durations.proveMs = Date.now() - proveStart;
    if (input.mask && patched('mask-restore')) {
      phase = 'masking';
      report.masked = await maskOrRemove(input);
    }
    if (proofError) throw proofError;
    report.proven = report.proof!.checks.every((c) => c.ok);
    if (!report.proven) {
      const bad = report.proof!.checks.filter((c) => !c.ok).map((c) => `${c.check}${c.expected !== undefined ? ` (expected ${c.expected}, found ${c.found})` : ''}`);
      error = `the restored copy in ${item.destination} differs from the backup: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''}`;
      report.error = error;
      phase = 'failed';
      return finish('failed');
    }
    phase = 'restored';
    return finish('restored');
  } catch (err) {
    if (isCancellation(err)) throw err;
    error = innermostMessage(err);
    report.error = error;
    phase = 'failed';
    return finish('failed');
  }
}

/**
 * Masks the restored copy; when masking fails, removes the copy if this restore created it, so no unmasked copy
 * of production data is left where a masked one was asked for. Throws (a failed restore) on failure.
 */
async function maskOrRemove(input: RestoreTargetInput): Promise<NonNullable<TargetRestoreReport['masked']>> {
  try {
    const masked = await maskRestored(input.item);
    // Separate, and only after masking was recorded done: its retries may rely on what finishing clears.
    await finishMasking(input.item);
    return masked;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why = innermostMessage(err);
    const { destination, created } = input.item;
    const removed = created ? await teardownDestination(input.item) : undefined;
    const after = removed?.ok ? `the unmasked copy ${destination} was removed`
      : removed ? `the unmasked copy ${destination} could NOT be removed (${removed.detail}): drop it by hand`
        : `${destination} was not created by this restore, so it was left as it is: it holds an UNMASKED copy`;
    throw new Error(`masking failed: ${why}; ${after}`);
  }
}
