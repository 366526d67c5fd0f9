/**
 * RESTORE_FROM_S3_ON_STARTUP=true (Graphiti's variable): a worker starting next to a database that came back
 * empty restores it from its latest backup, into itself; a database holding data is left alone, a database
 * with no backup is skipped, and a later restart does not restore again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/connection';
import type { RestoreBackupResult } from '../workflows/restore-inputs';
import { bootstrapWorkflowId } from '../worker/bootstrap-restore';
import { Deployment, suffix } from './support/deployment';
import { runCycle } from './support/cycle';
import { adminTarget, fingerprint, query } from './support/pg';

const d = new Deployment('bootstrap');
let client: Client | undefined;
after(async () => {
  await d.close();
  await client?.connection.close();
});

/** One worker life: start it, wait until it polls, return its start-up restore lines. */
async function startWorker(extra: Record<string, string>): Promise<{ said: string; stop: () => Promise<void> }> {
  const w = d.start(extra);
  await w.ready;
  return { said: w.messages().filter((l) => l.startsWith('start-up restore:')).join('\n'), stop: () => w.kill('SIGTERM') };
}

test('a worker started with RESTORE_FROM_S3_ON_STARTUP=true restores the empty database from its latest backup and leaves a non-empty one alone', { timeout: 600_000 }, async () => {
  const lost = await d.database(`boot_lost_${suffix()}`, 500);
  const busy = await d.database(`boot_busy_${suffix()}`, 40);
  const fresh = await d.database(`boot_fresh_${suffix()}`, 0);
  await query({ ...adminTarget(), database: fresh }, 'DROP TABLE notes');
  Object.assign(d.env, {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: `${lost},${busy}`, CAIRN_METADATA_DATABASE: process.env.POSTGRES_DB ?? 'cairn',
    POSTGRES_USER: process.env.POSTGRES_USER ?? 'cairn', POSTGRES_PASSWORD: process.env.POSTGRES_PASSWORD ?? 'cairn', POSTGRES_PORT: process.env.POSTGRES_PORT ?? '5432',
    MINIO_ACCESS_KEY: process.env.MINIO_ACCESS_KEY ?? 'cairn', MINIO_SECRET_KEY: process.env.MINIO_SECRET_KEY ?? 'cairn-secret', BACKUP_BUCKET: `bootstrap-${suffix()}`,
  });
  client = await connectClient(d.config.temporal);
  const lostTarget = d.postgres(lost);
  const busyTarget = d.postgres(busy);
  const before = await fingerprint(lostTarget);

  const first = await startWorker({});
  const cycle = await runCycle(client, d.config);
  assert.deepEqual(cycle.results.map((r) => r.status), ['success', 'success'], cycle.error);
  await first.stop();

  // The disaster: the database comes back empty. The other one carries on and gains a row the backup lacks.
  await query(adminTarget(), `DROP DATABASE "${lost}" WITH (FORCE)`);
  await query(adminTarget(), `CREATE DATABASE "${lost}" TEMPLATE template0`);
  await query(busyTarget, "INSERT INTO notes VALUES (1000, 'written after the backup')");
  const busyNow = await fingerprint(busyTarget);

  const env = { RESTORE_FROM_S3_ON_STARTUP: 'true', POSTGRES_DATABASES: `${lost},${busy},${fresh}` };
  const second = await startWorker(env);
  assert.match(second.said, new RegExp(`start-up restore: ${lost} is empty; restoring it from postgres_${lost}_\\d{8}_\\d{6}`));
  assert.match(second.said, new RegExp(`start-up restore: ${busy} is not empty \\(.*\\); left alone`));
  assert.match(second.said, new RegExp(`start-up restore: ${fresh} is empty or new, but has no backup to restore yet; skipped`));
  const handle = client.workflow.getHandle(bootstrapWorkflowId(d.config, lost));
  const restored = await handle.result() as RestoreBackupResult;
  const restoreRun = (await handle.describe()).runId;
  assert.equal(restored.ok, true);
  assert.deepEqual(restored.targets.map((t) => [t.target, t.status]), [[lost, 'restored']]);
  await second.stop();

  assert.deepEqual(await fingerprint(lostTarget), before, 'the restored database holds exactly what was backed up');
  assert.deepEqual(await fingerprint(busyTarget), busyNow, 'the database that held data is untouched');
  assert.deepEqual(await query({ ...adminTarget(), database: fresh }, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"), [{ n: 0 }]);

  // A later restart finds the database full again and does not restore it a second time.
  const third = await startWorker(env);
  assert.match(third.said, new RegExp(`start-up restore: ${lost} is not empty \\(.*\\); left alone`));
  assert.doesNotMatch(third.said, /restoring it from|joined/);
  await third.stop();
  assert.equal((await handle.describe()).runId, restoreRun, 'no second start-up restore ran under its workflow id');
});
