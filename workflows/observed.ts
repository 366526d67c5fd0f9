/**
 * The workflows users start, as registered with the worker: each runs its process (backup-cycle.ts,
 * restore-backup.ts, dr-drill.ts) and around it sets Cairn's search attributes and memo, and notifies on
 * failure (and on success when configured). Both behind patched(), so runs started before replay unchanged.
 */
import { ApplicationFailure, patched, proxyActivities, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { NotificationEvent } from '../notify/event';
import type { DrillReport } from '../storage/format/reports';
import { BACKUP_CYCLE_INPUT, backupCycle as runBackupCycle } from './backup-cycle';
import { drDrill as runDrDrill } from './dr-drill';
import { innermostMessage } from './errors';
import type { BackupCycleInput, BackupCycleResult } from './inputs';
import { notify } from './notify';
import { bookkeeping } from './policies';
import type { DrDrillInput, RestoreBackupInput, RestoreBackupResult } from './restore-inputs';
import { RESTORE_INPUT, restoreBackup as runRestoreBackup } from './restore-backup';
import { validateInput } from './validate-input';
import { CAIRN_SEARCH_ATTRIBUTES, type CairnAttribute } from './search-attributes';

const { registeredSearchAttributes } = proxyActivities<Activities>(bookkeeping);

type Kind = 'backup' | 'restore' | 'drill';
interface Findings { targets: { target: string; type?: string; reason?: string }[]; backupIds: string[] }
type Attrs = Partial<Record<CairnAttribute, string | string[]>>;

async function label(registered: string[], attrs: Attrs, memo: string): Promise<void> {
  const pairs = Object.entries(attrs).filter(([k, v]) => registered.includes(k) && v !== undefined && (!Array.isArray(v) || v.length))
    .map(([k, value]) => ({ key: CAIRN_SEARCH_ATTRIBUTES[k as CairnAttribute], value }) as SearchAttributeUpdatePair);
  if (pairs.length) upsertSearchAttributes(pairs);
  upsertMemo({ cairnSummary: memo.slice(0, 500) });
}

const event = (kind: NotificationEvent['kind'], outcome: NotificationEvent['outcome'], title: string, detail: string, targets: Findings['targets']): NotificationEvent =>
  ({ kind, outcome, title, detail, targets, workflowId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() });

async function observe<R>(kind: Kind, requested: string[], run: () => Promise<R>, onResult: (r: R) => Findings, onFailure: (err: unknown) => { events: NotificationEvent[]; findings: Findings }): Promise<R> {
  const labelled = patched('cairn-search-attributes');
  const registered = labelled ? await registeredSearchAttributes({ names: Object.keys(CAIRN_SEARCH_ATTRIBUTES) }) : [];
  if (labelled) await label(registered, { CairnKind: kind, CairnTarget: requested, CairnOutcome: 'running' }, `${kind} of ${requested.join(', ') || 'every target'}: running`);
  try {
    const result = await run();
    const f = onResult(result);
    if (labelled) await label(registered, { CairnTarget: f.targets.map((t) => t.target), CairnType: uniq(f.targets.map((t) => t.type)), CairnOutcome: 'succeeded', CairnBackupId: f.backupIds }, `${kind} of ${f.targets.map((t) => t.target).join(', ')}: succeeded`);
    if (patched('cairn-notify')) await notify(event(kind, 'succeeded', `${kind} succeeded`, `${f.targets.map((t) => t.target).join(', ')}`, f.targets), true);
    return result;
  } catch (err) {
    if (!isCancelled(err)) {
      const { events, findings } = onFailure(err);
      if (labelled) await label(registered, { CairnTarget: findings.targets.map((t) => t.target), CairnType: uniq(findings.targets.map((t) => t.type)), CairnOutcome: 'failed', CairnBackupId: findings.backupIds }, `${kind}: failed: ${events[0]?.detail ?? ''}`);
      if (patched('cairn-notify')) for (const e of events) await notify(e);
    }
    throw err;
  }
}

/** The raw input's target names, only where they are strings: a malformed input is refused by the workflow itself. */
const names = (x: unknown): string[] => (Array.isArray(x) ? x : [x]).filter((v): v is string => typeof v === 'string');
const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
const isCancelled = (err: unknown) => (err as { name?: string })?.name === 'CancelledFailure';
const detailsOf = <T>(err: unknown) => (err instanceof ApplicationFailure ? err.details?.[0] as T | undefined : undefined);

export async function backupCycle(input: BackupCycleInput = {}): Promise<BackupCycleResult> {
  const fromResults = (r: BackupCycleResult): Findings => ({
    targets: r.results.map((t) => ({ target: t.target, type: t.type, ...(t.error ? { reason: t.error } : {}) })),
    backupIds: r.results.flatMap((t) => (t.backupId ? [t.backupId] : [])),
  });
  // A malformed input fails before anything runs (no labelling activity, no notification): the run did nothing.
  if (patched('cairn-validated-input')) validateInput<BackupCycleInput>('backupCycle', input, BACKUP_CYCLE_INPUT);
  return observe('backup', names(input?.targets), () => runBackupCycle(input), fromResults, (err) => {
    const cycle = detailsOf<BackupCycleResult>(err);
    const findings: Findings = cycle?.results ? fromResults(cycle) : { targets: names(input?.targets).map((target) => ({ target })), backupIds: [] };
    const failed = findings.targets.filter((t) => t.reason);
    const events: NotificationEvent[] = [];
    if (failed.length || !cycle?.results) {
      events.push(event('backup', 'failed', `backup failed: ${failed.map((t) => t.target).join(', ') || 'the cycle'}`, innermostMessage(err), failed.length ? failed : findings.targets));
    }
    if (cycle?.pruneError) events.push(event('prune', 'failed', 'pruning expired backups failed', cycle.pruneError, []));
    return { events, findings };
  });
}

export async function restoreBackup(input: RestoreBackupInput): Promise<RestoreBackupResult> {
  const fromResult = (r: RestoreBackupResult): Findings => ({
    targets: r.targets.map((t) => ({ target: t.target, type: t.type, ...(t.error ? { reason: t.error } : {}) })), backupIds: r.targets.map((t) => t.backupId),
  });
  validateInput<RestoreBackupInput>('restoreBackup', input, RESTORE_INPUT);
  return observe('restore', names(input?.target), () => runRestoreBackup(input), fromResult, (err) => {
    const r = detailsOf<RestoreBackupResult>(err);
    const findings: Findings = r?.targets ? fromResult(r) : { targets: names(input?.target).map((target) => ({ target })), backupIds: names(input?.backupId) };
    const failed = findings.targets.filter((t) => t.reason);
    return { findings, events: [event('restore', 'failed', `restore failed${failed.length ? `: ${failed.map((t) => t.target).join(', ')}` : ''}`, innermostMessage(err), failed.length ? failed : findings.targets)] };
  });
}

export async function drDrill(input: DrDrillInput = {}): Promise<DrillReport> {
  const fromReport = (d: DrillReport): Findings => ({
    targets: d.targets.map((t) => ({ target: t.target, type: t.type, ...(t.error ? { reason: t.error } : {}) })), backupIds: d.targets.map((t) => t.backupId),
  });
  validateInput<DrDrillInput>('drDrill', input, { setId: RESTORE_INPUT.setId! });
  return observe('drill', [], () => runDrDrill(input), fromReport, (err) => {
    const d = detailsOf<DrillReport>(err);
    const findings: Findings = d?.targets ? fromReport(d) : { targets: [], backupIds: [] };
    return { findings, events: [event('drill', 'failed', 'DR drill failed', d?.reasons?.join('; ') || innermostMessage(err), findings.targets)] };
  });
}
