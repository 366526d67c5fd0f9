/** `cairn status` on the real stack: objectives met, an RPO breach exits 1, a size jump is flagged, and the bucket stands in for a lost catalog. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/load';
import { withWorker } from './support/stack';
import { runCycle } from './support/cycle';
import { createDatabase, dropDatabase, query, adminTarget } from './support/pg';
import type { PostgresTarget } from '../config/types';
import type { StatusReport } from '../status/evaluate';

const CAIRN = join(__dirname, '..', '..', 'bin', 'cairn.js');
const created: PostgresTarget[] = [];
after(async () => { for (const db of created) await dropDatabase(db); });

function status(env: Record<string, string>) {
  const res = spawnSync(process.execPath, [CAIRN, 'status', '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  assert.ok(res.stdout, res.stderr);
  return { code: res.status, report: JSON.parse(res.stdout) as StatusReport, text: () => spawnSync(process.execPath, [CAIRN, 'status'], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout };
}

test('status follows a target from fresh, to a flagged size change, to out of its RPO; the bucket answers when the catalog cannot', { timeout: 300_000 }, async () => {
  const db = await createDatabase('status');
  created.push(db);
  await query(db, 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g');
  const suffix = randomUUID().slice(0, 8);
  const env = { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, TEMPORAL_TASK_QUEUE: `test-status-${suffix}`, BACKUP_BUCKET: `test-status-${suffix}`, BACKUP_SCHEDULE_ID: `test-status-${suffix}` };
  const config = loadConfig({ ...process.env, ...env });

  const before = status(env);
  assert.equal(before.code, 1, 'a target never backed up is out of its objective');
  assert.match(before.report.targets[0]!.breaches[0]!.detail, /has no successful backup/);

  await withWorker(config, async (client) => {
    assert.equal((await runCycle(client, config)).failed, false);
    const fresh = status(env);
    assert.equal(fresh.code, 0, JSON.stringify(fresh.report));
    const t = fresh.report.targets[0]!;
    assert.equal(fresh.report.source, 'catalog');
    assert.equal(t.target, db.database);
    assert.ok(t.lastSuccess!.sizeBytes > 0 && t.lastSuccess!.ageMs < 600_000);
    assert.equal(t.failures7d, 0);
    assert.equal(t.storedBytes, t.lastSuccess!.sizeBytes);
    assert.match(fresh.report.scheduleError ?? '', /no schedule test-status-/, 'no schedule was applied, and status says so');

    // Forty times the rows: the next backup is far more than 50% larger.
    await query(db, 'INSERT INTO t SELECT g, md5(g::text) || md5((g+1)::text) FROM generate_series(1, 20000) g');
    assert.equal((await runCycle(client, config)).failed, false);
  });
  const grown = status(env);
  assert.equal(grown.code, 1);
  const g = grown.report.targets[0]!;
  assert.equal(g.sizeChange!.flagged, true);
  assert.ok(g.sizeChange!.percent > 50, `size change ${g.sizeChange!.percent}%`);
  assert.deepEqual(g.breaches.map((b) => b.kind), ['size-change']);
  assert.match(grown.text(), /FLAGGED/);

  // The same size change allowed by a wider limit; then the newest backup made older than the RPO.
  const wide = { ...env, OBJECTIVE_SIZE_CHANGE_PERCENT: '100000' };
  assert.equal(status(wide).code, 0);
  await query(adminTarget(), `UPDATE backup_history SET timestamp = timestamp - interval '30 hours' WHERE target = $1`, [db.database]);
  const stale = status(wide);
  assert.equal(stale.code, 1);
  assert.deepEqual(stale.report.targets[0]!.breaches.map((b) => b.kind), ['rpo']);
  assert.match(stale.report.targets[0]!.breaches[0]!.detail, /past its RPO objective of 25\.0 h/);
  assert.equal(status({ ...wide, OBJECTIVE_RPO_HOURS_BY_TARGET: `${db.database}=48` }).code, 0, 'a per-target RPO of 48 h covers a 30 h old backup');

  // The catalog is unreachable: the bucket's manifests still give the last backup (by its id's own time) and sizes.
  const lost = status({ ...wide, CAIRN_METADATA_PORT: '1' });
  assert.equal(lost.report.source, 'bucket');
  assert.match(lost.report.catalogError!, /does not answer/);
  assert.equal(lost.code, 0);
  const b = lost.report.targets[0]!;
  assert.equal(b.lastSuccess!.backupId, g.lastSuccess!.backupId);
  assert.equal(b.lastSuccess!.sizeBytes, g.lastSuccess!.sizeBytes);
  assert.equal(b.failures7d, null);
  assert.match(status({ ...wide, CAIRN_METADATA_PORT: '1' }).text(), /read from the bucket's manifests/);
});
