/**
 * Scale-out: three worker processes on one queue, two cycles of the same target overlapping. The target is
 * never dumped twice at once (pg_stat_activity sampled throughout), the second dump waits visibly (a
 * TargetBusy attempt in its history), and both cycles end with one good backup each.
 */
import { randomUUID } from 'node:crypto';
import type { BackupCycleResult } from '../../workflows/inputs';
import type { PostgresTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { adminTarget, query } from '../support/pg';
import { auditBackups } from './audit';
import { faultQueue, postgresEntries, sleep, waitFor } from './queue';
import type { TrialFinding } from './ledger';

export interface LockTrial extends TrialFinding {
  maxConcurrentDumps: number;
  samples: number;
  busyAttempts: number;
}

/** Sessions copying `db`'s rows out right now: a pg_dump (Cairn names its sessions 'cairn') in COPY. */
async function dumpSessions(db: PostgresTarget): Promise<number> {
  const rows = await query<{ n: string }>(adminTarget(), `SELECT count(*) AS n FROM pg_stat_activity
    WHERE datname = $1 AND application_name = 'cairn' AND state = 'active' AND query ILIKE 'COPY %'`, [db.database]);
  return Number(rows[0]!.n);
}

export async function overlappingCycles(db: PostgresTarget, workerCount: number): Promise<LockTrial> {
  // pg_dump's gzip: a dump slow enough that the second cycle reaches its own while the first still runs (the
  // zstd default dumps the bench table before the second cycle's first activities are done).
  const queue = faultQueue('fault-lock', postgresEntries([db]).map((t) => ({ ...t, compression: 'gzip' })));
  const client = await connectClient(queue.config.temporal);
  try {
    for (let i = 0; i < workerCount; i++) await queue.startWorker();
    const start = (n: number) => client.workflow.start('backupCycle', {
      taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-lock-${n}-${randomUUID()}`, args: [{}],
    });
    // The second cycle starts once the first is copying rows out: its dump is certain to meet the first's.
    const first = await start(1);
    await waitFor('the first cycle to be dumping', 300, async () => ((await dumpSessions(db)) > 0 ? true : undefined));
    const handles = [first, await start(2)];
    let done = false;
    const results = Promise.all(handles.map((h) => h.result() as Promise<BackupCycleResult>)).finally(() => { done = true; });
    results.catch(() => undefined);
    let maxConcurrentDumps = 0;
    let samples = 0;
    // Sample until both cycles end (bounded: 20 minutes of samples at most).
    for (let i = 0; i < 24_000 && !done; i++) {
      maxConcurrentDumps = Math.max(maxConcurrentDumps, await dumpSessions(db));
      samples++;
      await sleep(50);
    }
    const outcome = await results;
    for (const r of outcome.flatMap((o) => o.results)) {
      if (r.status !== 'success') throw new Error(`a cycle's target failed: ${JSON.stringify(r)}`);
    }
    let busyAttempts = 0;
    for (const h of handles) {
      for (const e of (await h.fetchHistory()).events ?? []) {
        // Retried attempts are not events of their own: the attempt that ran last carries the one before's failure.
        const failure = e.activityTaskStartedEventAttributes?.lastFailure ?? e.activityTaskFailedEventAttributes?.failure;
        if (failure?.applicationFailureInfo?.type === 'TargetBusy') busyAttempts++;
      }
    }
    const finding = await auditBackups(queue.config, [db], handles.map((h) => h.workflowId));
    return { ...finding, maxConcurrentDumps, samples, busyAttempts };
  } finally {
    await client.connection.close();
    await queue.stopAll();
  }
}
