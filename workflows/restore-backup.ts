/**
 * restoreBackup: the runbook for getting data back. Locate the backup (or the latest complete set), refuse
 * anything that cannot be done before touching anything, then per target: verify every stored object, restore
 * into a new destination (or, with force, over the given one), prove the copy equal to the backup; record a report.
 */
import {
  ApplicationFailure, defineQuery, proxyActivities, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { RestoreItem } from '../activities/restore-types';
import { RESTORE_REPORT_FORMAT, REPORT_VERSION, type RestoreReport, type TargetRestoreReport } from '../storage/format/reports';
import { INVALID_INPUT, TARGET_NAME, validateInput, type InputSchema } from './validate-input';
import type { RestoreBackupInput, RestoreBackupResult, RestorePhase, RestoreProgress } from './restore-inputs';
import { restorePlanning } from './restore-policies';
import { restoreTarget } from './restore-target';
import { utcStamp } from './stamp';

const { planRestore, recordRestore } = proxyActivities<Activities>(restorePlanning);

export const restoreProgressQuery = defineQuery<RestoreProgress>('progress');

export const RESTORE_INPUT: InputSchema = {
  type: { type: 'enum', values: ['all', 'postgres', 'neo4j', 'qdrant'] },
  target: { type: 'string', pattern: TARGET_NAME, hint: 'a configured target name' },
  backupId: { type: 'string', pattern: /^_?[a-z0-9]+_.+_\d{8}_\d{6}$/, hint: 'a backup id like postgres_app_20261121_020000' },
  setId: { type: 'string', pattern: /^set_\d{8}_\d{6}_[0-9a-f]{8}$/, hint: 'a set id like set_20261121_020000_1a2b3c4d (cairn list --sets)' },
  into: { type: 'string', pattern: /^[^\0]{1,255}$/, hint: 'a destination name' },
  validateOnly: { type: 'boolean' }, force: { type: 'boolean' },
  jobs: { type: 'integer', min: 1, max: 64 }, keepOwnership: { type: 'boolean' }, mask: { type: 'boolean' },
};

export async function restoreBackup(raw: RestoreBackupInput): Promise<RestoreBackupResult> {
  const input = validateInput<RestoreBackupInput>('restoreBackup', raw, RESTORE_INPUT);
  if (input.type === undefined) {
    throw ApplicationFailure.nonRetryable("restoreBackup input: field 'type' is required: one of \"all\", \"postgres\", \"neo4j\", \"qdrant\"", INVALID_INPUT);
  }
  if (input.into !== undefined && input.type === 'all') {
    throw ApplicationFailure.nonRetryable("restoreBackup input: 'into' names one destination; with type 'all' every target gets a new one", INVALID_INPUT);
  }
  if (input.mask && input.validateOnly) throw ApplicationFailure.nonRetryable("restoreBackup input: 'mask' with 'validateOnly': nothing is restored, so nothing can be masked", INVALID_INPUT);
  if (input.backupId && input.setId) throw ApplicationFailure.nonRetryable("restoreBackup input: give 'backupId' or 'setId', not both", INVALID_INPUT);
  const { workflowId, startTime } = workflowInfo();
  const stamp = utcStamp(startTime);
  const started = new Date(Date.now()).toISOString();
  const validateOnly = input.validateOnly ?? false;
  const force = input.force ?? false;

  const plan = await planRestore({
    type: input.type, stamp, validateOnly, force,
    ...(input.target ? { target: input.target } : {}), ...(input.backupId ? { backupId: input.backupId } : {}),
    ...(input.setId ? { setId: input.setId } : {}), ...(input.into !== undefined ? { into: input.into } : {}), ...(input.mask ? { mask: true } : {}),
  });
  const progress: RestoreProgress = {
    targets: plan.items.map((i) => ({ target: i.target, type: i.type, backupId: i.backupId, destination: i.destination, phase: 'planned' as RestorePhase, workflowId: childId(i), totalBytes: i.totalBytes })),
  };
  setHandler(restoreProgressQuery, () => progress);

  const results: TargetRestoreReport[] = [];
  for (const [n, item] of plan.items.entries()) {
    progress.targets[n]!.phase = validateOnly ? 'verifying' : 'restoring';
    const result = await runChild(item, { validateOnly, force, ...(input.jobs ? { jobs: input.jobs } : {}), ...(input.keepOwnership ? { keepOwnership: true } : {}), ...(input.mask ? { mask: true } : {}) });
    progress.targets[n]!.phase = result.status === 'failed' ? 'failed' : result.status;
    if (result.error) progress.targets[n]!.error = result.error;
    results.push(result);
  }

  const report: RestoreReport = {
    format: RESTORE_REPORT_FORMAT, version: REPORT_VERSION, restoreId: `restore_${stamp}_${workflowInfo().runId.slice(0, 8)}`,
    workflowId, requested: { ...input }, startedAt: started, finishedAt: new Date(Date.now()).toISOString(),
    ok: results.every((r) => r.status !== 'failed'), locatedFrom: plan.locatedFrom, targets: results,
  };
  const recorded = await recordRestore(report);
  const result: RestoreBackupResult = {
    version: 1, ok: report.ok, restoreId: report.restoreId, reportKey: recorded.reportKey, locatedFrom: plan.locatedFrom,
    targets: results, ...(plan.setId ? { setId: plan.setId } : {}), ...(recorded.catalogError ? { catalogError: recorded.catalogError } : {}),
  };
  if (!report.ok) {
    const failed = results.filter((r) => r.status === 'failed');
    throw ApplicationFailure.nonRetryable(`${failed.length} of ${results.length} restore(s) failed: ${failed.map((r) => `${r.target}: ${r.error}`).join('; ')}`, 'RestoreFailed', result);
  }
  return result;
}

/** Child workflow ids name the destination: a second restore into it while one runs is refused at once. */
export function childId(item: RestoreItem): string {
  return `restore-into:${item.destinationKey}`;
}

export async function runChild(item: RestoreItem, opts: { validateOnly: boolean; force: boolean; jobs?: number; keepOwnership?: boolean; mask?: boolean }): Promise<TargetRestoreReport> {
  try {
    const child = await startChild(restoreTarget, { workflowId: childId(item), args: [{ version: 1, item, ...opts }] });
    return await child.result();
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(`another restore into ${item.destination} is running (workflow ${childId(item)}); wait for it to finish`, 'DestinationBusy');
    }
    throw err;
  }
}
