/**
 * drDrill, the monthly disaster-recovery drill, run and measured by itself: restore the latest complete backup
 * set into isolated drill destinations, prove every copy equal to its backup, smoke-test it, run the user's
 * checks, measure RTO and RPO, write the report, and tear the drill environment down, also on failure or cancel.
 */
import { ApplicationFailure, CancellationScope, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DRILL_REPORT_FORMAT, REPORT_VERSION, type DrillReport, type TargetRestoreReport } from '../storage/format/reports';
import { innermostMessage } from './errors';
import { validateInput } from './validate-input';
import type { DrDrillInput } from './restore-inputs';
import { restoreChecking, restorePlanning } from './restore-policies';
import { RESTORE_INPUT, runChild } from './restore-backup';
import { utcStamp } from './stamp';

const { planDrill, recordDrill } = proxyActivities<Activities>(restorePlanning);
const { prepareDrillDestination, smokeTest, runDrillChecks, teardownDestination } = proxyActivities<Activities>(restoreChecking);

export interface DrillProgress { phase: string; setId?: string; targets: { target: string; destination: string; status: string }[] }
export const drillProgressQuery = defineQuery<DrillProgress>('progress');

export async function drDrill(raw: DrDrillInput = {}): Promise<DrillReport> {
  const input = validateInput<DrDrillInput>('drDrill', raw, { setId: RESTORE_INPUT.setId! });
  const { workflowId, startTime, runId } = workflowInfo();
  const stamp = utcStamp(startTime);
  const began = Date.now();
  const progress: DrillProgress = { phase: 'planning', targets: [] };
  setHandler(drillProgressQuery, () => progress);

  const plan = await planDrill({ stamp, ...(input.setId ? { setId: input.setId } : {}) });
  progress.setId = plan.setId;
  progress.targets = plan.items.map((i) => ({ target: i.target, destination: i.destination, status: 'waiting' }));
  const report: DrillReport = {
    format: DRILL_REPORT_FORMAT, version: REPORT_VERSION, drillId: `drill_${stamp}_${runId.slice(0, 8)}`, workflowId, setId: plan.setId,
    startedAt: new Date(began).toISOString(), finishedAt: '', passed: false, reasons: [],
    rto: { totalMs: 0, objectiveMs: plan.rtoObjectiveMs, withinObjective: false, perTarget: {} }, rpo: { maxMs: 0, perTarget: {} },
    targets: [], smoke: {}, checks: [], teardown: [],
  };
  try {
    progress.phase = 'restoring';
    // Targets restore side by side: the drill measures how long recovering everything takes.
    report.targets = await Promise.all(plan.items.map(async (item, n): Promise<TargetRestoreReport> => {
      progress.targets[n]!.status = 'preparing';
      await prepareDrillDestination(item);
      progress.targets[n]!.status = 'restoring';
      const result = await runChild(item, { validateOnly: false, force: false, ...(plan.masked?.includes(item.target) ? { mask: true } : {}) });
      report.rto.perTarget[item.target] = Date.now() - began;
      report.rpo.perTarget[item.target] = item.consistencyAt ? began - Date.parse(item.consistencyAt) : 0;
      progress.targets[n]!.status = result.status;
      return result;
    }));
    report.rto.totalMs = Date.now() - began;
    progress.phase = 'checking';
    for (const item of plan.items) report.smoke[item.target] = await smokeTest(item);
    report.checks = await runDrillChecks(plan.items);
  } catch (err) {
    report.reasons.push(`the drill stopped: ${innermostMessage(err)}`);
    throw err;
  } finally {
    // Teardown and the report happen even when the drill failed or was cancelled.
    await CancellationScope.nonCancellable(async () => {
      progress.phase = 'tearing down';
      for (const item of plan.items) report.teardown.push(await teardownDestination(item));
      finish(report);
      progress.phase = report.passed ? 'passed' : 'failed';
      await recordDrill(report);
    });
  }
  if (!report.passed) throw ApplicationFailure.nonRetryable(`DR drill failed: ${report.reasons.join('; ')}`, 'DrillFailed', report);
  return report;
}

/** The verdict and its reasons, from everything measured. */
function finish(r: DrillReport): void {
  r.finishedAt = new Date(Date.now()).toISOString();
  r.rpo.maxMs = Math.max(0, ...Object.values(r.rpo.perTarget));
  r.rto.withinObjective = r.rto.totalMs > 0 && r.rto.totalMs <= r.rto.objectiveMs;
  for (const t of r.targets) if (t.status !== 'restored') r.reasons.push(`${t.target}: ${t.error ?? t.status}`);
  if (r.rto.totalMs > 0 && !r.rto.withinObjective) r.reasons.push(`RTO ${Math.round(r.rto.totalMs / 1000)} s exceeds the objective of ${Math.round(r.rto.objectiveMs / 1000)} s`);
  for (const [target, checks] of Object.entries(r.smoke)) for (const c of checks) if (!c.ok) r.reasons.push(`smoke check ${c.check} on ${target}: ${c.detail}`);
  for (const c of r.checks) if (!c.ok) r.reasons.push(`check '${c.name}' failed: ${c.detail}`);
  for (const t of r.teardown) if (!t.ok) r.reasons.push(`teardown of ${t.destination} failed: ${t.detail}`);
  r.passed = r.reasons.length === 0 && r.targets.length > 0;
}
