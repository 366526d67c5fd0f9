/**
 * A worker killed in the middle of a prune: at the moment of the kill no manifest points at a missing object,
 * and a new worker finishes the prune, leaving exactly the kept backup and no half-deleted one.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connectClient } from '../client/connection';
import { Catalog } from '../catalog/catalog';
import { ObjectStore } from '../storage/s3';
import { backupPrefix } from '../storage/layout';
import type { PruneBackupsResult } from '../workflows/prune-backups';
import { retentionConfig } from './support/retention-config';
import { manifestsPointingAtMissing, syntheticBackup } from './support/synthetic';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const target = `crash-${randomUUID().slice(0, 8)}`;
const workers: WorkerProcess[] = [];
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const w of workers) await w.kill();
  for (const c of cleanup) await c();
});

test('killing the worker mid-prune leaves no manifest pointing at a missing object, and a new worker finishes', { timeout: 600_000 }, async () => {
  const { config, env } = retentionConfig('prune-crash', [{ name: target, retention: { within_days: '0', keep_last: '1' } }]);
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  cleanup.push(async () => { await catalog.pool.query('DELETE FROM backup_history WHERE target = $1', [target]); await catalog.close(); store.destroy(); });
  await store.ensureBucket();
  await catalog.migrate();
  const ids: string[] = [];
  for (let n = 0; n < 300; n++) {
    ids.push(await syntheticBackup(store, catalog, target, new Date(Date.UTC(2024, 0, 1, 2) + n * 86_400_000), `cairn-backup-cycle-${n}`));
  }
  const newest = ids.at(-1)!;

  const first = startWorkerProcess(env);
  workers.push(first);
  await first.ready;
  const client = await connectClient(config.temporal);
  cleanup.push(() => client.connection.close());
  const handle = await client.workflow.start('pruneBackups', { taskQueue: config.temporal.taskQueue, workflowId: `test-prune-crash-${randomUUID()}`, args: [{}] });

  // Kill once the prune is well under way: some backups gone, most still to go.
  for (;;) {
    const gone = (await catalog.pool.query('SELECT 1 FROM backup_history WHERE target = $1 AND expired_at IS NOT NULL', [target])).rowCount ?? 0;
    if (gone >= 20) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await first.kill('SIGKILL');
  assert.deepEqual(await manifestsPointingAtMissing(store), [], 'every manifest left names only objects that exist');
  const manifestsAtKill = (await store.list(`postgres/${target}/`)).filter((o) => o.key.endsWith('.manifest.json')).length;
  assert.ok(manifestsAtKill > 1 && manifestsAtKill < 300, `the kill landed mid-prune (${manifestsAtKill} manifests left)`);

  const second = startWorkerProcess(env);
  workers.push(second);
  await second.ready;
  const result = await handle.result() as PruneBackupsResult;
  await second.kill('SIGTERM');

  assert.deepEqual([...result.deleted].sort(), ids.filter((b) => b !== newest).sort());
  const left = (await store.list(`postgres/${target}/`)).map((o) => o.key).sort();
  assert.deepEqual(left, [`${backupPrefix(newest)}.dump`, `${backupPrefix(newest)}.dump.sha256`, `${backupPrefix(newest)}.manifest.json`],
    'the backup being deleted at the kill was finished by the retry: no half-deleted backup remains');
  const expired = (await catalog.pool.query('SELECT 1 FROM backup_history WHERE target = $1 AND expired_at IS NOT NULL', [target])).rowCount;
  assert.equal(expired, 299);
});
