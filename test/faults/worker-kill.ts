/**
 * Workers SIGKILLed at random points of a backup cycle, then replaced: every cycle completes, each target has
 * exactly one success row and exactly its objects, and nothing corrupt is marked good. And two workers on
 * one queue, the one running the dump killed: the other finishes it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { BackupCycleResult } from '../../workflows/inputs';
import type { PostgresTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { auditBackups } from './audit';
import { faultQueue, postgresEntries, sleep, waitFor } from './queue';
import type { TrialFinding } from './ledger';
import type { WorkerProcess } from '../support/worker-process';

/** ~25 MB of poorly compressible rows: a dump long enough to be killed in the middle of. */
export const MEDIUM_TABLE_SQL = `CREATE TABLE medium (id bigint PRIMARY KEY, payload text);
  INSERT INTO medium SELECT g, encode(sha512(g::text::bytea), 'base64') || encode(sha512((g + 1)::text::bytea), 'base64') FROM generate_series(1, 100000) g;`;

async function startCycle(queue: ReturnType<typeof faultQueue>) {
  const client = await connectClient(queue.config.temporal);
  const workflowId = `fault-cycle-${randomUUID()}`;
  const handle = await client.workflow.start('backupCycle', { taskQueue: queue.config.temporal.taskQueue, workflowId, args: [{}] });
  return { client, workflowId, handle };
}

function assertAllSucceeded(result: BackupCycleResult, expected: number) {
  const bad = result.results.filter((r) => r.status !== 'success');
  if (result.results.length !== expected || bad.length) throw new Error(`cycle results: ${JSON.stringify(result.results)}`);
}

/** One trial: a cycle over `targets`, its worker killed after a random delay, a new worker finishing it. */
export async function killDuringBackup(targets: PostgresTarget[], maxDelayMs: number, log: (l: string) => void): Promise<TrialFinding> {
  const queue = faultQueue('fault-kill', postgresEntries(targets));
  try {
    const first = await queue.startWorker();
    const { client, workflowId, handle } = await startCycle(queue);
    const delay = Math.floor(Math.random() * maxDelayMs);
    await sleep(delay);
    await first.kill('SIGKILL');
    log(`worker killed ${delay} ms into cycle ${workflowId}`);
    await queue.startWorker();
    const result = await handle.result() as BackupCycleResult;
    await client.connection.close();
    assertAllSucceeded(result, targets.length);
    return await auditBackups(queue.config, targets, [workflowId]);
  } finally {
    await queue.stopAll();
  }
}

/** The worker among `workers` whose process has a pg_dump child right now. */
function dumpingWorker(workers: WorkerProcess[]): WorkerProcess | undefined {
  return workers.find((w) => {
    try {
      return execFileSync('ps', ['-o', 'comm=', '--ppid', String(w.child.pid)], { encoding: 'utf8' }).includes('pg_dump');
    } catch {
      return false;
    }
  });
}

/** Two workers on one queue; the one running the dump is killed mid-dump; the other finishes the cycle. */
export async function killOneOfTwo(target: PostgresTarget, log: (l: string) => void): Promise<TrialFinding> {
  const queue = faultQueue('fault-two', postgresEntries([target]));
  try {
    const workers = [await queue.startWorker(), await queue.startWorker()];
    const { client, workflowId, handle } = await startCycle(queue);
    const victim = await waitFor('a worker running pg_dump', 120, async () => dumpingWorker(workers));
    await victim.kill('SIGKILL');
    const survivor = workers.find((w) => w !== victim)!;
    log(`killed worker ${victim.child.pid} mid-dump; ${survivor.child.pid} carries on`);
    const result = await handle.result() as BackupCycleResult;
    // The survivor retried the dump: the history shows a second attempt.
    const events = (await handle.fetchHistory()).events ?? [];
    await client.connection.close();
    assertAllSucceeded(result, 1);
    if (survivor.child.exitCode !== null) throw new Error('the surviving worker exited');
    if (!events.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)) throw new Error('no activity was retried');
    return await auditBackups(queue.config, [target], [workflowId]);
  } finally {
    await queue.stopAll();
  }
}
