/**
 * Protected backups: `cairn backup --protect` takes one, `cairn protect` marks one, and neither retention nor
 * `cairn forget` deletes it; the protection lives in the bucket, so it survives losing the catalog. `forget`
 * keeps a protected, whole copy unless --no-copy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Catalog } from '../catalog/catalog';
import { rebuildCatalog } from '../catalog/rebuild';
import { ObjectStore } from '../storage/s3';
import { protectionKey } from '../storage/format/protection';
import { backupPrefix, manifestKey } from '../storage/layout';
import type { Manifest } from '../storage/format/manifest';
import { forgetBackup, protectBackup, unprotectBackup } from '../retention/protection';
import type { PruneBackupsResult } from '../workflows/prune-backups';
import { withWorker } from './support/stack';
import { runCycle } from './support/cycle';
import { createDatabase, dropDatabase, query } from './support/pg';
import { retentionConfig } from './support/retention-config';
import { manifestsPointingAtMissing, syntheticBackup } from './support/synthetic';

const CAIRN = join(__dirname, '..', '..', 'bin', 'cairn.js');
const cleanup: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

test('protection survives retention, forget and the loss of the catalog; forget keeps a whole protected copy', { timeout: 300_000 }, async () => {
  const name = `prot-${randomUUID().slice(0, 8)}`;
  const { config, env } = retentionConfig('protect', [{ name, retention: { within_days: '0', keep_last: '1' } }]);
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  cleanup.push(async () => { await catalog.pool.query('DELETE FROM backup_history WHERE target = $1', [name]); await catalog.close(); store.destroy(); });
  await store.ensureBucket();
  await catalog.migrate();
  const day = (n: number) => new Date(Date.UTC(2025, 4, n, 2));
  const ids: string[] = [];
  for (const n of [1, 2, 3, 4, 5]) ids.push(await syntheticBackup(store, catalog, name, day(n), `cairn-backup-cycle-${n}`));
  const [oldest, protectedOne, toForget, toForgetBare, latest] = ids as [string, string, string, string, string];

  await protectBackup(store, catalog, protectedOne, 'before the v3 migration');
  await assert.rejects(forgetBackup(store, catalog, protectedOne, { copy: true }), new RegExp(`${protectedOne} is protected .*cairn unprotect ${protectedOne}`));
  const copy = (await forgetBackup(store, catalog, toForget, { copy: true }))!;
  assert.equal(copy, `_deleted_${toForget}`);
  assert.equal(await forgetBackup(store, catalog, toForgetBare, { copy: false }), undefined);
  await assert.rejects(forgetBackup(store, catalog, copy, { copy: true }), /is protected \(its id starts with '_'\)/);
  await assert.rejects(unprotectBackup(store, catalog, copy), /protected by its name/);
  await assert.rejects(protectBackup(store, catalog, toForgetBare, 'too late'), /has no manifest/);

  // The copy is a whole backup: its manifest names objects whose bytes match their recorded checksums.
  assert.deepEqual(await store.list(backupPrefix(toForget)), []);
  assert.deepEqual(await store.list(backupPrefix(toForgetBare)), []);
  const copied = JSON.parse(await store.getText(manifestKey(copy))) as Manifest;
  assert.equal(copied.backupId, copy);
  for (const a of copied.artifacts) {
    assert.equal(createHash('sha256').update(await store.getText(a.key)).digest('hex'), a.sha256);
    assert.match(await store.getText(a.sidecarKey), new RegExp(`^${a.sha256}  ${copy}\\.dump\\n$`));
  }

  // Lose the catalog's rows: rebuilding from the bucket brings back the backups and their protection.
  await catalog.pool.query('DELETE FROM backup_history WHERE target = $1', [name]);
  const report = await rebuildCatalog(store, catalog, config.backup.scheduleId);
  assert.equal(report.protected, 1);
  const rows = (await catalog.pool.query<{ backup_id: string; protected_reason: string | null; trigger: string }>(
    'SELECT backup_id, protected_reason, trigger FROM backup_history WHERE target = $1 ORDER BY backup_id', [name])).rows;
  assert.deepEqual(rows.map((r) => r.backup_id).sort(), [copy, oldest, protectedOne, latest].sort());
  assert.equal(rows.find((r) => r.backup_id === protectedOne)!.protected_reason, 'before the v3 migration');
  assert.ok(rows.every((r) => r.trigger === 'scheduled'), 'the manifests\' workflow ids say these were scheduled');

  const result = await withWorker(config, (client) => client.workflow.execute('pruneBackups', {
    taskQueue: config.temporal.taskQueue, workflowId: `test-prune-${randomUUID()}`, args: [{}],
  })) as PruneBackupsResult;
  assert.deepEqual(result.deleted, [oldest], 'keep-last 1 deletes everything but the newest, except what is protected');
  assert.ok(await store.size(manifestKey(protectedOne)));
  assert.ok(await store.size(manifestKey(copy)));
  assert.deepEqual(await manifestsPointingAtMissing(store), []);

  // The CLI says what is wrong and changes nothing.
  const cli = (args: string[]) => spawnSync(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const refused = cli(['forget', protectedOne]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is protected/);
  assert.equal(cli(['forget']).status, 2);
  assert.match(cli(['list', '--dry-run']).stderr, /--dry-run belongs to cairn prune/);
  assert.match(cli(['prune', '--target', 'nope']).stderr, /--target 'nope' is not a configured target/);
  assert.ok(await store.size(manifestKey(protectedOne)));
  const un = cli(['unprotect', protectedOne]);
  assert.equal(un.status, 0, un.stderr);
  assert.equal(await store.size(protectionKey(protectedOne)), undefined);
});

test('cairn backup --protect takes a protected backup; scheduled and manual cycles are recorded as such', { timeout: 300_000 }, async () => {
  const db = await createDatabase('prot-cycle');
  cleanup.push(() => dropDatabase(db));
  await query(db, 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 10);');
  const { config } = retentionConfig('protect-cycle', [{ name: db.database }]);
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  cleanup.push(async () => { await catalog.close(); store.destroy(); });
  await withWorker(config, async (client) => {
    const manual = await runCycle(client, config, { protect: true });
    assert.equal(manual.failed, false, manual.error);
    const id = manual.results[0]!.backupId!;
    const marker = JSON.parse(await store.getText(protectionKey(id))) as { reason: string };
    assert.match(marker.reason, /cairn backup --protect/);
    const row = (await catalog.get(id))!;
    assert.ok(row.protected_at);
    assert.equal(row.trigger, 'manual');

    const scheduled = await runCycle(client, config, {}, `${config.backup.scheduleId}-${new Date().toISOString()}-${randomUUID().slice(0, 4)}`);
    assert.equal(scheduled.failed, false, scheduled.error);
    assert.equal((await catalog.get(scheduled.results[0]!.backupId!))!.trigger, 'scheduled');
  });
});
