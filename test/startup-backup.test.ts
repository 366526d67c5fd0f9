/**
 * RUN_IMMEDIATE_BACKUP in a crash-looping container: three quick worker restarts give exactly one backup,
 * a later restart is visibly skipped by respawn protection, and FORCE_BACKUP=true backs up again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/connection';
import { Catalog } from '../catalog/catalog';
import type { BackupCycleResult } from '../workflows/inputs';
import { startupWorkflowId } from '../worker/startup-backup';
import { Deployment, suffix } from './support/deployment';

const d = new Deployment('startup');
let client: Client | undefined;
after(async () => {
  await d.close();
  await client?.connection.close();
});

async function successfulBackups(target: string): Promise<{ status: string; workflow_id: string }[]> {
  const catalog = new Catalog(d.config.metadata);
  try {
    return (await catalog.pool.query<{ status: string; workflow_id: string }>('SELECT status, workflow_id FROM backup_history WHERE target = $1 ORDER BY timestamp', [target])).rows;
  } finally {
    await catalog.close();
  }
}

/** One worker life: start, wait until it has made its start-up decision and polls, return what it said. */
async function restart(extra: Record<string, string> = {}, kill = true): Promise<string> {
  const w = d.start(extra);
  await w.ready;
  if (kill) await w.kill('SIGKILL');
  return w.messages().filter((l) => l.startsWith('start-up backup:')).join('\n');
}

test('three quick restarts with RUN_IMMEDIATE_BACKUP=true give exactly one backup; FORCE_BACKUP=true gives another', { timeout: 600_000 }, async () => {
  const db = await d.database(`startup_db_${suffix()}`, 50);
  Object.assign(d.env, {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DB: db, BACKUP_BUCKET: `startup-${suffix()}`,
    POSTGRES_USER: process.env.POSTGRES_USER ?? 'cairn', POSTGRES_PASSWORD: process.env.POSTGRES_PASSWORD ?? 'cairn', POSTGRES_PORT: process.env.POSTGRES_PORT ?? '5432',
    MINIO_ACCESS_KEY: process.env.MINIO_ACCESS_KEY ?? 'cairn', MINIO_SECRET_KEY: process.env.MINIO_SECRET_KEY ?? 'cairn-secret',
    RUN_IMMEDIATE_BACKUP: 'true', RESPAWN_PROTECTION_HOURS: '23',
  });
  client = await connectClient(d.config.temporal);

  const said = [await restart(), await restart(), await restart({}, false)];
  assert.match(said[0]!, /start-up backup: started/);
  for (const s of said.slice(1)) assert.match(s, /joined the start-up cycle already running|skipping/, 'a restart never starts a second start-up backup');
  const first = await client.workflow.getHandle(startupWorkflowId(d.config)).result() as BackupCycleResult;
  assert.deepEqual(first.results.map((r) => r.status), ['success']);
  const afterRestarts = await successfulBackups(db);
  assert.deepEqual(afterRestarts.map((r) => r.status), ['success'], 'exactly one backup for three restarts');

  // Once it is done, a restart within RESPAWN_PROTECTION_HOURS skips the target, and says so.
  const skipped = await restart();
  assert.match(skipped, new RegExp(`skipping ${db}: its last successful backup .* within RESPAWN_PROTECTION_HOURS=23; FORCE_BACKUP=true bypasses`));
  assert.equal((await successfulBackups(db)).length, 1);

  const forced = await restart({ FORCE_BACKUP: 'true' }, false);
  assert.match(forced, /start-up backup: started .*\(FORCE_BACKUP\)/);
  const second = await client.workflow.getHandle(startupWorkflowId(d.config)).result() as BackupCycleResult;
  assert.deepEqual(second.results.map((r) => r.status), ['success']);
  const rows = await successfulBackups(db);
  assert.deepEqual(rows.map((r) => r.status), ['success', 'success'], 'FORCE_BACKUP=true backs up again');
  assert.equal(new Set(rows.map((r) => r.workflow_id)).size, 1, 'both ran under the one start-up workflow id');
});
