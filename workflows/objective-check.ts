/**
 * objectiveCheck, run hourly by its schedule: evaluates the status rules (RPO, size change) and notifies once
 * when a breach appears and once when it clears, not every hour in between. Which breaches were notified is
 * kept in the bucket, so the memory survives workers and runs.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Breach } from '../status/evaluate';
import { validateInput } from './validate-input';
import { notify } from './notify';
import { bookkeeping } from './policies';

const { evaluateObjectives, saveObjectiveState } = proxyActivities<Activities>({ ...bookkeeping, startToCloseTimeout: '5 minutes' });

export interface ObjectiveCheckResult { version: 1; breaches: string[]; newlyBreached: string[]; resolved: string[] }

const keyOf = (b: Breach) => `${b.target}:${b.kind}`;

export async function objectiveCheck(raw: { version?: 1 } = {}): Promise<ObjectiveCheckResult> {
  validateInput('objectiveCheck', raw, {});
  const { breaches, notified } = await evaluateObjectives();
  const current = breaches.map(keyOf);
  const fresh = breaches.filter((b) => !notified.includes(keyOf(b)));
  const resolved = notified.filter((k) => !current.includes(k));
  const base = { workflowId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() };
  for (const b of fresh) {
    await notify({ ...base, kind: 'objective', outcome: 'breach', title: `${b.type}/${b.target} is out of its ${b.kind === 'rpo' ? 'RPO' : 'size-change'} objective`, detail: b.detail, targets: [{ target: b.target, type: b.type, reason: b.detail }] });
  }
  for (const k of resolved) {
    const [target, kind] = k.split(':') as [string, string];
    await notify({ ...base, kind: 'objective', outcome: 'resolved', title: `${target} is back within its ${kind === 'rpo' ? 'RPO' : 'size-change'} objective`, detail: `resolved: ${k}`, targets: [{ target }] });
  }
  if (fresh.length || resolved.length) await saveObjectiveState({ notified: current });
  return { version: 1, breaches: current, newlyBreached: fresh.map(keyOf), resolved };
}
