/**
 * Servers restarted under a running cycle, each a private instance (the shared stack stays up): PostgreSQL
 * restarted in the middle of a dump, and the Temporal server restarted in the middle of a cycle. The cycle
 * completes after recovery, the history shows the retried attempts, and the bucket holds exactly one backup.
 */
import { randomUUID } from 'node:crypto';
import type { BackupCycleResult } from '../../workflows/inputs';
import type { PostgresTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { query } from '../support/pg';
import { PrivatePostgres, PrivateTemporal } from '../support/private-servers';
import { auditBackups } from './audit';
import { faultQueue, postgresEntries, sleep, waitFor } from './queue';
import type { TrialFinding } from './ledger';

const copying = async (db: PostgresTarget) => (await query<{ n: string }>({ ...db, database: 'postgres' },
  `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query ILIKE 'COPY %'`, [db.database]))[0]!.n !== '0';

async function cycleOn(queue: ReturnType<typeof faultQueue>) {
  const client = await connectClient(queue.config.temporal);
  const handle = await client.workflow.start('backupCycle', { taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-restart-${randomUUID()}`, args: [{}] });
  return { client, handle };
}

async function finish(queue: ReturnType<typeof faultQueue>, db: PostgresTarget, workflowId: string, log: (l: string) => void): Promise<TrialFinding> {
  const client = await connectClient(queue.config.temporal);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const result = await handle.result() as BackupCycleResult;
    if (result.results[0]?.status !== 'success') throw new Error(`cycle results: ${JSON.stringify(result.results)}`);
    const attempts = Math.max(...((await handle.fetchHistory()).events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1));
    log(`cycle completed after the restart; a step succeeded on attempt ${attempts}`);
    return { ...(await auditBackups(queue.config, [db], [workflowId])), attempts } as TrialFinding & { attempts: number };
  } finally {
    await client.connection.close();
  }
}

export async function postgresRestartMidDump(tableSql: string, log: (l: string) => void): Promise<TrialFinding> {
  const pg = await PrivatePostgres.create();
  try {
    await pg.start();
    await query(pg.target('postgres'), 'CREATE DATABASE restarted');
    const db = pg.target('restarted');
    await query(db, tableSql);
    const queue = faultQueue('fault-pgrestart', postgresEntries([db]));
    try {
      await queue.startWorker();
      const { client, handle } = await cycleOn(queue);
      await client.connection.close();
      await waitFor('the dump to be copying rows', 300, async () => ((await copying(db)) ? true : undefined));
      pg.stop();
      log('private PostgreSQL stopped (immediate) mid-dump; restarting it in 5 s');
      await sleep(5000);
      await pg.start();
      const found = await finish(queue, db, handle.workflowId, log) as TrialFinding & { attempts: number };
      if (found.attempts < 2) throw new Error('the history shows no retried dump');
      return found;
    } finally {
      await queue.stopAll();
    }
  } finally {
    pg.destroy();
  }
}

export async function temporalRestartMidCycle(db: PostgresTarget, log: (l: string) => void): Promise<TrialFinding> {
  const temporal = await PrivateTemporal.create();
  try {
    await temporal.start();
    const queue = faultQueue('fault-trestart', postgresEntries([db]), { TEMPORAL_ADDRESS: temporal.address });
    try {
      await queue.startWorker();
      const { client, handle } = await cycleOn(queue);
      await client.connection.close();
      await waitFor('the dump to be copying rows', 300, async () => ((await copying(db)) ? true : undefined));
      await temporal.stop();
      log('private Temporal server stopped mid-dump; restarting it in 10 s');
      await sleep(10_000);
      await temporal.start();
      return await finish(queue, db, handle.workflowId, log);
    } finally {
      await queue.stopAll();
    }
  } finally {
    await temporal.destroy();
  }
}
