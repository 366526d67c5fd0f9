/**
 * Retention on the real stack over a synthetic quarter of history: restic's grandfather-father-son rules keep
 * exactly the expected backups, scheduled and manual backups each by their own rules, `cairn prune --dry-run`
 * lists the same set and deletes nothing, and protected backups and the newest complete set always stay.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { Catalog } from '../catalog/catalog';
import type { KeepRules } from '../config/retention';
import { decide, type Candidate } from '../retention/policy';
import { ObjectStore } from '../storage/s3';
import { backupIdFor, backupPrefix } from '../storage/layout';
import { forgetBackup, protectBackup } from '../retention/protection';
import type { PruneBackupsResult } from '../workflows/prune-backups';
import { withWorker } from './support/stack';
import { retentionConfig } from './support/retention-config';
import { manifestsPointingAtMissing, syntheticBackup, syntheticSet } from './support/synthetic';

const CAIRN = join(__dirname, '..', '..', 'bin', 'cairn.js');
const cleanup: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

const target = `ret-${randomUUID().slice(0, 8)}`;
const at = (iso: string) => new Date(`${iso}Z`);
const id = (iso: string) => backupIdFor('postgres', target, at(iso));

test('GFS keeps exactly the expected backups; dry run lists the same set and deletes nothing; the real prune deletes just those', { timeout: 300_000 }, async () => {
  const { config, env } = retentionConfig('retention', [{
    name: target,
    retention: { manual: { within_days: '30' }, scheduled: { within_days: '0', keep_last: '2', keep_daily: '3', keep_weekly: '2', keep_monthly: '3' } },
  }]);
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  cleanup.push(async () => { await catalog.pool.query('DELETE FROM backup_history WHERE target = $1', [target]); await catalog.close(); store.destroy(); });
  await store.ensureBucket();
  await catalog.migrate();

  // A scheduled backup every day at 02:00 for the first quarter of 2025, one extra on its last day, three manual ones.
  const scheduled: string[] = [];
  for (let day = at('2025-01-01T02:00:00'); day <= at('2025-03-31T02:00:00'); day = new Date(day.getTime() + 86_400_000)) {
    scheduled.push(await syntheticBackup(store, catalog, target, day, `cairn-backup-cycle-${day.toISOString()}`));
  }
  scheduled.push(await syntheticBackup(store, catalog, target, at('2025-03-31T14:00:00'), 'cairn-backup-cycle-2025-03-31T14:00:00Z'));
  const manual = [];
  for (const when of ['2025-02-01T10:00:00', '2025-03-01T10:00:00', '2025-03-20T10:00:00']) {
    manual.push(await syntheticBackup(store, catalog, target, at(when), `backup-cycle-${when}`));
  }
  await protectBackup(store, catalog, id('2025-01-15T02:00:00'), 'before the schema migration');
  const copy = await forgetBackup(store, catalog, id('2025-01-10T02:00:00'), { copy: true });
  assert.equal(copy, `_deleted_${id('2025-01-10T02:00:00')}`);
  await syntheticSet(store, at('2025-01-05T03:00:00'), [{ target, backupId: id('2025-01-05T02:00:00') }], true);
  await syntheticSet(store, at('2025-01-20T03:00:00'), [{ target, backupId: id('2025-01-20T02:00:00') }], true);
  await syntheticSet(store, at('2025-03-31T15:00:00'), [{ target, backupId: id('2025-03-31T14:00:00') }], false);

  // Worked out by hand from restic's rules (ISO week 14 of 2025 starts on Monday 31 March).
  const expectedKept = [
    '2025-03-31T14:00:00', '2025-03-31T02:00:00', // last 2 (and daily, weekly W14, monthly 2025-03)
    '2025-03-30T02:00:00', '2025-03-29T02:00:00', // daily 3; 30 March is also weekly W13
    '2025-02-28T02:00:00', '2025-01-31T02:00:00', // monthly 2025-02 and 2025-01
    '2025-01-20T02:00:00', // in the newest complete set
    '2025-01-15T02:00:00', // protected by cairn protect
    '2025-03-20T10:00:00', '2025-03-01T10:00:00', // manual, within 30 days of the newest manual backup
  ].map(id).concat(copy!);
  const live = [...scheduled.filter((b) => b !== id('2025-01-10T02:00:00')), ...manual, copy!];
  const expectedDeleted = live.filter((b) => !expectedKept.includes(b)).sort();
  assert.equal(expectedDeleted.length, 83);

  const objectsBefore = (await store.list('')).map((o) => o.key).sort();
  const dry = spawnSync(process.execPath, [CAIRN, 'prune', '--dry-run', '--json', '--target', target], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(dry.status, 0, dry.stderr);
  const planned = JSON.parse(dry.stdout) as PruneBackupsResult;
  assert.equal(planned.dryRun, true);
  assert.deepEqual([...planned.deleted].sort(), expectedDeleted);
  const plan = planned.plans[0]!;
  assert.deepEqual(plan.backups.filter((b) => b.keep).map((b) => b.backupId).sort(), [...expectedKept].sort());
  const why = (iso: string) => plan.backups.find((b) => b.backupId === id(iso))!.reasons;
  assert.deepEqual(why('2025-01-20T02:00:00'), ['in the newest complete backup set']);
  assert.deepEqual(why('2025-01-15T02:00:00'), ['protected']);
  assert.deepEqual(why('2025-02-28T02:00:00'), ['scheduled monthly 2025-02']);
  assert.deepEqual(why('2025-03-20T10:00:00'), ['manual within 30d']);
  assert.deepEqual(why('2025-03-31T14:00:00'), ['scheduled last', 'scheduled daily 2025-03-31', 'scheduled weekly 2025-W14', 'scheduled monthly 2025-03', 'newest successful backup']);
  assert.deepEqual((await store.list('')).map((o) => o.key).sort(), objectsBefore, 'a dry run deletes nothing');
  const expiredRows = await catalog.pool.query('SELECT 1 FROM backup_history WHERE target = $1 AND expired_at IS NOT NULL', [target]);
  assert.equal(expiredRows.rowCount, 0);

  const human = spawnSync(process.execPath, [CAIRN, 'prune', '--dry-run', '--target', target], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.match(human.stdout, new RegExp(`would delete +${id('2025-01-01T02:00:00')} .*no rule keeps it`));
  assert.match(human.stdout, new RegExp(`keep +${id('2025-01-15T02:00:00')} .*protected`));

  const result = await withWorker(config, (client) => client.workflow.execute('pruneBackups', {
    taskQueue: config.temporal.taskQueue, workflowId: `test-prune-${randomUUID()}`, args: [{ target }],
  })) as PruneBackupsResult;
  assert.deepEqual([...result.deleted].sort(), expectedDeleted, 'the real prune deletes exactly what the dry run listed');
  for (const b of expectedDeleted) assert.deepEqual(await store.list(backupPrefix(b)), [], `${b} has no object left`);
  const manifests = (await store.list(`postgres/${target}/`)).map((o) => o.key).filter((k) => k.endsWith('.manifest.json'));
  assert.deepEqual(manifests.map((k) => k.slice(k.lastIndexOf('/') + 1, -'.manifest.json'.length)).sort(), [...expectedKept].sort());
  assert.deepEqual(await manifestsPointingAtMissing(store), []);
  const rows = (await catalog.pool.query<{ backup_id: string; status: string; expired_at: Date | null; deleted_at: Date | null }>(
    'SELECT backup_id, status, expired_at, deleted_at FROM backup_history WHERE target = $1', [target])).rows;
  assert.deepEqual(rows.filter((r) => r.expired_at).map((r) => r.backup_id).sort(), expectedDeleted, 'rows are kept, marked expired');
  assert.ok(rows.every((r) => r.status === 'success'), 'history keeps how each backup ended');
  assert.deepEqual(rows.filter((r) => r.deleted_at).map((r) => r.backup_id), [id('2025-01-10T02:00:00')], 'the forgotten one is marked deleted');
});

test('protected backups, the newest successful backup and the newest complete set survive every policy', () => {
  const day = (n: number) => new Date(Date.UTC(2025, 0, 1, 2) + n * 86_400_000);
  const candidates: Candidate[] = Array.from({ length: 400 }, (_, n) => ({
    backupId: `b${n}`, at: day(n), trigger: n % 10 === 0 ? 'manual' as const : 'scheduled' as const, protected: n === 3,
  }));
  const guards = { newestGood: 'b399', newestSetMembers: new Set(['b120', 'b121']) };
  const none: KeepRules = { withinDays: 0, last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  for (const field of Object.keys(none) as (keyof KeepRules)[]) {
    const rules = { ...none, [field]: 1 };
    const decisions = decide(candidates, { scheduled: rules, manual: rules }, guards);
    const kept = new Set(decisions.filter((d) => d.keep).map((d) => d.backupId));
    for (const must of ['b3', 'b399', 'b120', 'b121']) assert.ok(kept.has(must), `${must} survives keep ${field} 1`);
    assert.ok(kept.size < 20, `keep ${field} 1 does delete most backups (kept ${kept.size})`);
  }
});

test('orphans and unfinished uploads older than the grace period are removed; a running backup\'s are not', { timeout: 120_000 }, async () => {
  const name = `orph-${randomUUID().slice(0, 8)}`;
  const oid = (iso: string) => backupIdFor('postgres', name, at(iso));
  const { config } = retentionConfig('orphans', [{ name }]);
  assert.equal(config.retention.orphanGraceHours, 24, 'the default grace period');
  const noGrace = { ...config, retention: { ...config.retention, orphanGraceHours: 0 } };
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  cleanup.push(async () => { await catalog.pool.query('DELETE FROM backup_history WHERE target = $1', [name]); await catalog.close(); store.destroy(); });
  await store.ensureBucket();
  await catalog.migrate();

  const whole = await syntheticBackup(store, catalog, name, at('2025-06-01T02:00:00'), 'cairn-backup-cycle-x');
  const orphan = oid('2025-06-02T02:00:00');
  await store.putText(`${backupPrefix(orphan)}.dump`, 'left by a crashed prune', 'application/octet-stream');
  await store.putText(`${backupPrefix(orphan)}.dump.sha256`, 'x', 'text/plain');
  const running = oid('2025-06-03T02:00:00');
  await catalog.pool.query(`INSERT INTO backup_history (backup_id, backup_type, target, timestamp, status) VALUES ($1, 'postgres', $2, now(), 'running')`, [running, name]);
  await store.putText(`${backupPrefix(running)}.aliases.json`, 'being written', 'application/json');
  const stale = await store.client.send(new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: `${backupPrefix(oid('2025-06-04T02:00:00'))}.dump` }));
  await store.client.send(new UploadPartCommand({ Bucket: store.bucket, Key: `${backupPrefix(oid('2025-06-04T02:00:00'))}.dump`, UploadId: stale.UploadId, PartNumber: 1, Body: 'part' }));
  await store.client.send(new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: `${backupPrefix(running)}.dump` }));

  const prune = (c: typeof config) => withWorker(c, (client) => client.workflow.execute('pruneBackups', {
    taskQueue: c.temporal.taskQueue, workflowId: `test-prune-${randomUUID()}`, args: [{}],
  })) as Promise<PruneBackupsResult>;
  const young = await prune(config);
  assert.deepEqual([young.orphans, young.uploads], [[], []], 'within the grace period nothing is touched');

  const swept = await prune(noGrace);
  assert.deepEqual(swept.orphans, [`${backupPrefix(orphan)}.dump`, `${backupPrefix(orphan)}.dump.sha256`]);
  assert.deepEqual(swept.uploads, [`${backupPrefix(oid('2025-06-04T02:00:00'))}.dump`]);
  assert.deepEqual(swept.deleted, [], 'the one whole backup is the newest: it stays');
  const left = (await store.list(`postgres/${name}/`)).map((o) => o.key).sort();
  assert.deepEqual(left, [`${backupPrefix(whole)}.dump`, `${backupPrefix(whole)}.dump.sha256`, `${backupPrefix(whole)}.manifest.json`, `${backupPrefix(running)}.aliases.json`]);
  assert.deepEqual((await store.pendingUploads('')).map((u) => u.key), [`${backupPrefix(running)}.dump`], 'the running backup\'s upload stays');
});
