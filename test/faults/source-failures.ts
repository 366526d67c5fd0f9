/**
 * Sources that cannot be backed up, beside one that can: a wrong password and a missing database fail at
 * once (non-retryable), a server that is down fails once the retry window is spent; each failure is recorded
 * in the catalog with a clear message, and the good target still gets its one good backup.
 */
import { createServer } from 'node:net';
import type { PostgresTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { runCycle } from '../support/cycle';
import { auditBackups, rowsOf } from './audit';
import { faultQueue, postgresEntries } from './queue';
import type { TrialFinding } from './ledger';

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

interface Expectation { target: PostgresTarget; error: RegExp; retried: boolean }

export async function brokenSources(good: PostgresTarget, log: (l: string) => void): Promise<TrialFinding> {
  const broken: Expectation[] = [
    { target: { ...good, name: 'wrong-password', database: 'cairn', password: 'not-the-password' }, error: /password authentication failed/i, retried: false },
    { target: { ...good, name: 'missing-db', database: 'cairn_no_such_database' }, error: /does not exist/i, retried: false },
    { target: { ...good, name: 'server-down', port: await closedPort() }, error: /ECONNREFUSED|connect|refused/i, retried: true },
  ];
  // The shortest retry window config allows (1 minute), so the down server's retries end within the test.
  const queue = faultQueue('fault-src', postgresEntries([good, ...broken.map((b) => b.target)]), { CAIRN_RETRY_WINDOW_MINUTES: '1' });
  const client = await connectClient(queue.config.temporal);
  try {
    await queue.startWorker();
    const cycle = await runCycle(client, queue.config);
    if (!cycle.failed) throw new Error('a cycle with broken sources reported success');
    const byTarget = new Map(cycle.results.map((r) => [r.target, r]));
    if (byTarget.get(good.name)?.status !== 'success') throw new Error(`the good target did not succeed: ${JSON.stringify(byTarget.get(good.name))}`);
    const rows = await rowsOf(queue.config, [cycle.workflowId]);
    const events = (await client.workflow.getHandle(cycle.workflowId).fetchHistory()).events ?? [];
    for (const b of broken) {
      const r = byTarget.get(b.target.name);
      if (r?.status !== 'failed' || !b.error.test(r.error ?? '')) throw new Error(`${b.target.name}: expected a failure matching ${b.error}, got ${JSON.stringify(r)}`);
      const row = rows.find((x) => x.target === b.target.name);
      if (row?.status !== 'failed' || !row.error_message) throw new Error(`${b.target.name}: the failure is not recorded: ${JSON.stringify(row)}`);
      // Attempts of this target's dump, from the history (activity ids are <target>/<step>).
      const attempts = Math.max(0, ...events.filter((e) => e.activityTaskScheduledEventAttributes?.activityId === `${b.target.name}/dump`)
        .map((e) => events.find((s) => s.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === e.eventId?.toString())?.activityTaskStartedEventAttributes?.attempt ?? 1));
      if (b.retried !== attempts > 1) throw new Error(`${b.target.name}: dump ran ${attempts} attempt(s); expected ${b.retried ? 'retries' : 'exactly one'}`);
      log(`${b.target.name}: failed after ${attempts} attempt(s): ${r.error}`);
    }
    const finding = await auditBackups(queue.config, [good], [cycle.workflowId]);
    // The broken targets left nothing in the bucket.
    for (const b of broken) finding.badMarkedGood += (await auditBackups(queue.config, [b.target], [])).badMarkedGood;
    return finding;
  } finally {
    await client.connection.close();
    await queue.stopAll();
  }
}
