/** `cairn backup [--target NAME]... [--wait] [--json]`: starts a backup cycle, optionally following it live. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { connectClient, workflowLink } from '../client/connection';
import type { BackupCycleInput, BackupCycleResult, CycleProgress } from '../workflows/inputs';
import type { TargetBackupResult } from '../activities/types';
import { bytes, table } from './format';
import { requireWorker } from './workers';
import { pendingRetries } from './retry-status';

export async function backupCommand(config: CairnConfig, opts: { targets: string[]; wait: boolean; json: boolean; protect?: boolean }): Promise<number> {
  const unknown = opts.targets.filter((t) => !config.targets.some((c) => c.name === t));
  if (unknown.length) {
    console.error(`cairn backup: unknown target(s) ${unknown.join(', ')}; configured: ${config.targets.map((t) => t.name).join(', ')}`);
    return 2;
  }
  const client = await connectClient(config.temporal);
  try {
    await requireWorker(client, config.temporal);
    const input: BackupCycleInput = { version: 1, ...(opts.targets.length ? { targets: opts.targets } : {}), ...(opts.protect ? { protect: true } : {}) };
    const workflowId = `backup-cycle-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
    const handle = await client.workflow.start('backupCycle', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    if (!opts.json) {
      console.log(`started backup cycle ${workflowId}`);
      console.log(`  ${workflowLink(config.temporal, workflowId, handle.firstExecutionRunId)}`);
    }
    if (!opts.wait) {
      if (opts.json) console.log(JSON.stringify({ workflowId, runId: handle.firstExecutionRunId }));
      return 0;
    }
    const cycle = await follow(config, handle, !opts.json);
    if (opts.json) console.log(JSON.stringify({ workflowId, ...cycle }, null, 2));
    else printResults(cycle);
    return cycle.results.every((r) => r.status === 'success') && !cycle.pruneError ? 0 : 1;
  } finally {
    await client.connection.close();
  }
}

/**
 * Prints each target's phase as it changes, and each retry Temporal is waiting to make, until the cycle ends;
 * returns per-target results either way.
 */
async function follow(config: CairnConfig, handle: WorkflowHandle, live: boolean): Promise<BackupCycleResult> {
  const seen = new Map<string, string>();
  const types = new Map<string, string>();
  const retriesShown = new Set<string>();
  let finished = false;
  const outcome = handle.result().then(
    (r: BackupCycleResult) => r,
    (err: unknown) => {
      // A failed cycle carries every target's result in its failure details.
      const details = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] })?.details?.[0] as BackupCycleResult | undefined : undefined;
      if (details?.results) return details;
      throw err;
    },
  ).finally(() => { finished = true; });
  // Handled here at once: a workflow that fails before the first poll must not crash the CLI (unhandled rejection).
  outcome.catch(() => undefined);
  // Poll until the cycle ends, then once more so every target's final phase is shown even for a quick cycle.
  for (;;) {
    const last = finished;
    try {
      const progress = await handle.query<CycleProgress>('progress');
      for (const t of progress.targets) {
        types.set(t.target, t.type);
        const line = `${t.phase}${t.backupId ? ` ${t.backupId}` : ''}${t.error ? `: ${t.error}` : ''}`;
        if (live && seen.get(t.target) !== line) console.log(`  ${t.type}/${t.target}: ${line}`);
        seen.set(t.target, line);
      }
    } catch {
      // The query handler exists once the workflow has planned its targets; until then there is nothing to show.
    }
    if (live && !last) {
      // Retries are not phases: Temporal holds them, so ask it; a failed describe only costs this one update.
      for (const retry of await handle.describe().then((d) => pendingRetries(d, config), () => [])) {
        if (retriesShown.has(retry.key)) continue;
        retriesShown.add(retry.key);
        console.log(`  ${retry.target ? `${types.get(retry.target) ?? '?'}/${retry.target}` : 'cycle'}: ${retry.line}`);
      }
    }
    if (last) break;
    await Promise.race([outcome.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
  return outcome;
}

function printResults(cycle: BackupCycleResult): void {
  console.log('');
  console.log(table(['target', 'type', 'status', 'backup id', 'size', 'detail'], cycle.results.map((r: TargetBackupResult) => [
    r.target, r.type, r.status, r.backupId ?? '-', bytes(r.sizeBytes), r.status === 'success' ? `sha256 ${r.checksum?.slice(0, 16)}...` : (r.error ?? ''),
  ])));
  if (cycle.pruned?.length) console.log(`\npruned ${cycle.pruned.length} backup(s) past the retention window: ${cycle.pruned.join(', ')}`);
  for (const k of cycle.kept ?? []) console.log(`kept ${k.backupId} past the retention window: ${k.reason}`);
  if (cycle.pruneError) console.log(`\npruning expired backups FAILED: ${cycle.pruneError}`);
}
