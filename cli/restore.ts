/**
 * `cairn restore --type all|postgres|neo4j|qdrant [--target N] [--backup-id ID | --set ID] [--into DEST]
 *  [--validate-only] [--force] [--jobs N] [--keep-ownership] [--mask] [--wait] [--json]`
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { connectClient, workflowLink } from '../client/connection';
import type { RestoreBackupInput, RestoreBackupResult, RestoreProgress } from '../workflows/restore-inputs';
import type { TargetRestoreReport } from '../storage/format/reports';
import { describeActivity, RateMeter, runningActivities } from './follow';
import { bytes, ms, table } from './format';
import { requireWorker } from './workers';

export interface RestoreOptions {
  type?: string; target?: string; backupId?: string; setId?: string; into?: string; jobs?: string;
  validateOnly: boolean; force: boolean; keepOwnership: boolean; wait: boolean; json: boolean;
  /** apply the target's masking rules to the copy (absent: false) */
  mask?: boolean;
}

export async function restoreCommand(config: CairnConfig, o: RestoreOptions): Promise<number> {
  const input = restoreInput(config, o);
  if (typeof input === 'string') {
    console.error(`cairn restore: ${input}`);
    return 2;
  }
  const client = await connectClient(config.temporal);
  try {
    await requireWorker(client, config.temporal);
    const workflowId = `restore-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
    const handle = await client.workflow.start('restoreBackup', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    if (!o.json) console.log(`started restore ${workflowId}\n  ${workflowLink(config.temporal, workflowId, handle.firstExecutionRunId)}`);
    if (!o.wait) {
      if (o.json) console.log(JSON.stringify({ workflowId, runId: handle.firstExecutionRunId }));
      return 0;
    }
    const result = await followRestore(client, handle, !o.json);
    if (o.json) console.log(JSON.stringify({ workflowId, ...result }, null, 2));
    else printRestore(result);
    return result.ok ? 0 : 1;
  } finally {
    await client.connection.close();
  }
}

/** The workflow input from flags, or a message naming the flag that is wrong. */
export function restoreInput(config: CairnConfig, o: RestoreOptions): RestoreBackupInput | string {
  const type = o.type ?? (o.setId ? 'all' : undefined);
  if (!type) return '--type is required (all, postgres, neo4j or qdrant)';
  if (!['all', 'postgres', 'neo4j', 'qdrant'].includes(type)) return `--type must be all, postgres, neo4j or qdrant, got '${type}'`;
  if (o.backupId && o.setId) return 'give --backup-id or --set, not both';
  if (o.mask && o.validateOnly) return '--mask with --validate-only: nothing is restored, so nothing can be masked';
  // Without --target the worker finds the target and refuses the same way, before anything is restored.
  if (o.mask && o.target && !config.masking[o.target]?.length) {
    return `--mask: no masking rules configured for target ${o.target} (add them under masking: in the config file; see README, Masked copies)`;
  }
  if (o.into !== undefined && type === 'all') return '--into names one destination: use it with --type postgres|neo4j|qdrant';
  if (o.target && !config.targets.some((t) => t.name === o.target)) return `--target '${o.target}' is not a configured target (${config.targets.map((t) => t.name).join(', ')})`;
  let jobs: number | undefined;
  if (o.jobs !== undefined) {
    jobs = Number(o.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) return `--jobs must be a whole number from 1 to 64, got '${o.jobs}'`;
  }
  return {
    version: 1, type: type as RestoreBackupInput['type'],
    ...(o.target ? { target: o.target } : {}), ...(o.backupId ? { backupId: o.backupId } : {}), ...(o.setId ? { setId: o.setId } : {}),
    ...(o.into !== undefined ? { into: o.into } : {}), ...(o.validateOnly ? { validateOnly: true } : {}), ...(o.force ? { force: true } : {}),
    ...(jobs ? { jobs } : {}), ...(o.keepOwnership ? { keepOwnership: true } : {}), ...(o.mask ? { mask: true } : {}),
  };
}

async function followRestore(client: Client, handle: WorkflowHandle, live: boolean): Promise<RestoreBackupResult> {
  let finished = false;
  const outcome = handle.result().then((r: RestoreBackupResult) => r, (err: unknown) => {
    const details = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] })?.details?.[0] as RestoreBackupResult | undefined : undefined;
    if (details?.targets) return details;
    throw err;
  }).finally(() => { finished = true; });
  // Handled here at once: a workflow that fails before the first poll must not crash the CLI (unhandled rejection).
  outcome.catch(() => undefined);
  const seen = new Map<string, string>();
  const rates = new RateMeter();
  for (;;) {
    const last = finished;
    try {
      const progress = await handle.query<RestoreProgress>('progress');
      for (const t of progress.targets) {
        let line = `${t.phase}${t.error ? `: ${t.error}` : ''}`;
        if (!['restored', 'verified', 'failed'].includes(t.phase)) {
          const [activity] = await runningActivities(client, t.workflowId);
          if (activity) line = describeActivity(activity, activity.bytesRead !== undefined ? rates.rate(t.workflowId, activity.bytesRead) : undefined);
        }
        if (live && seen.get(t.target) !== line) console.log(`  ${t.type}/${t.target} -> ${t.destination}: ${line}`);
        seen.set(t.target, line);
      }
    } catch {
      // The query answers once the backups are located; until then there is nothing to show.
    }
    if (last) break;
    await Promise.race([outcome.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
  return outcome;
}

export function printRestore(r: RestoreBackupResult): void {
  console.log('');
  console.log(table(['target', 'backup', 'destination', 'status', 'read', 'took', 'proof'], r.targets.map((t: TargetRestoreReport) => [
    `${t.type}/${t.target}`, t.backupId, t.destination, t.status, bytes(t.bytesRead), ms(t.durations.totalMs),
    t.proof ? `${t.proof.checks.filter((c) => c.ok).length}/${t.proof.checks.length} matched` : t.validateOnly ? 'verified only' : '-',
  ])));
  for (const t of r.targets) {
    const bad = t.proof?.checks.filter((c) => !c.ok) ?? [];
    if (t.error) console.log(`\n${t.target}: ${t.error}`);
    for (const c of bad) console.log(`  MISMATCH ${c.check}: expected ${c.expected ?? '?'}, found ${c.found ?? '?'}`);
    for (const n of [...t.notes, ...(t.proof?.notes ?? [])]) console.log(`  note (${t.target}): ${n}`);
    for (const m of t.masked ?? []) console.log(`  masked (${t.target}): ${m.field} with ${m.with}: ${m.changed} row(s) (${m.rule})`);
  }
  console.log(`\nreport: ${r.reportKey} (found the backup${r.targets.length > 1 ? 's' : ''} in the ${r.locatedFrom})`);
  if (r.catalogError) console.log(r.catalogError);
  const masked = r.targets.some((t) => t.masked);
  console.log(r.ok ? `restore complete: every copy proven equal to its backup${masked ? ', then masked' : ''}` : 'restore FAILED');
}
