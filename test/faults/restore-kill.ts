/**
 * Workers SIGKILLed at random points of a restore and of a DR drill, then replaced: the run completes, and a
 * half-restored database is never presented as done (Cairn's restores go into databases it creates, marked
 * 'cairn: restore in progress' until proven; a retry drops what a dead attempt left). Exactly one restored
 * copy remains per restore, equal to the source; a drill leaves none.
 */
import { randomUUID } from 'node:crypto';
import type { PostgresTarget } from '../../config/types';
import type { DrillReport } from '../../storage/format/reports';
import type { RestoreBackupResult } from '../../workflows/restore-inputs';
import { connectClient } from '../../client/connection';
import { adminTarget, dropDatabase, fingerprint, query } from '../support/pg';
import type { BackupCycleResult } from '../../workflows/inputs';
import { faultQueue, postgresEntries, sleep } from './queue';
import type { TrialFinding } from './ledger';

/** Databases made from `db` for `purpose`, with whether each still says it is unfinished. */
async function copiesOf(db: PostgresTarget, purpose: 'restore' | 'drill') {
  return query<{ datname: string; unfinished: boolean }>(adminTarget(), `SELECT datname, coalesce(shobj_description(oid, 'pg_database') LIKE 'cairn: restore in progress%', false) AS unfinished
    FROM pg_database WHERE datname LIKE $1 ORDER BY datname`, [`${db.database}\\_${purpose}\\_%`]);
}

export async function killDuringRestore(db: PostgresTarget, purpose: 'restore' | 'drill', maxDelayMs: number, log: (l: string) => void): Promise<TrialFinding> {
  const queue = faultQueue(`fault-${purpose}`, postgresEntries([db]));
  const client = await connectClient(queue.config.temporal);
  const expected = await fingerprint(db);
  try {
    const first = await queue.startWorker();
    const cycle: BackupCycleResult = await client.workflow.execute('backupCycle', { taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-cycle-${randomUUID()}`, args: [{}] });
    // The drill names its set: the catalog is shared, and the latest complete set may be another test's.
    const handle = purpose === 'restore'
      ? await client.workflow.start('restoreBackup', { taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-restore-${randomUUID()}`, args: [{ type: 'postgres', target: db.name }] })
      : await client.workflow.start('drDrill', { taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-drill-${randomUUID()}`, args: [{ setId: cycle.setId }] });
    const delay = Math.floor(Math.random() * maxDelayMs);
    let presentedHalfDone = 0;
    // Until the kill, and after it until the run ends, no copy that says it is done may differ from the source.
    const deadline = Date.now() + delay;
    while (Date.now() < deadline) {
      for (const c of await copiesOf(db, purpose)) {
        if (!c.unfinished && JSON.stringify(await fingerprint({ ...db, database: c.datname }).catch(() => ({}))) !== JSON.stringify(expected)) presentedHalfDone++;
      }
      await sleep(200);
    }
    await first.kill('SIGKILL');
    log(`worker killed ${delay} ms into ${purpose} ${handle.workflowId}; copies then: ${JSON.stringify(await copiesOf(db, purpose))}`);
    await queue.startWorker();
    const outcome = await (handle.result() as Promise<RestoreBackupResult | DrillReport>).catch((err: Error) => err);
    const ok = outcome instanceof Error ? false : 'passed' in outcome ? outcome.passed : outcome.ok;
    if (!ok) throw new Error(`the ${purpose} did not succeed after the kill: ${outcome instanceof Error ? causes(outcome) : JSON.stringify(outcome).slice(0, 1500)}`);
    const copies = await copiesOf(db, purpose);
    if (purpose === 'drill') {
      if (copies.length) throw new Error(`the drill left databases behind: ${JSON.stringify(copies)}`);
      return { lost: 0, badMarkedGood: presentedHalfDone };
    }
    if (copies.length !== 1) throw new Error(`expected exactly one restored copy, found ${JSON.stringify(copies)}`);
    const [copy] = copies;
    const equal = JSON.stringify(await fingerprint({ ...db, database: copy!.datname })) === JSON.stringify(expected);
    for (const c of copies) await dropDatabase({ ...db, database: c.datname });
    return { lost: 0, badMarkedGood: presentedHalfDone + (copy!.unfinished || !equal ? 1 : 0) };
  } finally {
    await client.connection.close();
    await queue.stopAll();
  }
}

/** A failure with every cause under it, and the report a failed run carries. */
function causes(err: Error): string {
  const parts: string[] = [];
  for (let e = err as { message?: string; cause?: unknown; details?: unknown[] } | undefined; e && parts.length < 10; e = e.cause as typeof e) {
    parts.push(e.message ?? '');
    if (e.details?.length) parts.push(JSON.stringify(e.details[0]).slice(0, 1500));
  }
  return parts.join(': ');
}
