/**
 * restoreBackup on the real stack with PostgreSQL: a rich database round-trips into a new database and is proven
 * equal; a damaged object is refused before anything is touched; a non-empty destination is refused without
 * force; with the catalog unreachable the backup is found from the bucket alone.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../storage/s3';
import { Catalog } from '../catalog/catalog';
import type { PostgresTarget } from '../config/types';
import { loadConfig } from '../config/load';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { runCycle } from './support/cycle';
import { runRestore } from './support/restore';
import { assertDamagedBackupRefused, restoredCopies } from './support/damaged-backup';

const created: PostgresTarget[] = [];
after(async () => {
  for (const db of created) await dropDatabase(db);
  // Destinations the restores made: <source>_restore_<stamp>.
  for (const db of created) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}\\_%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
});

async function database(prefix: string, sql: string): Promise<PostgresTarget> {
  const db = await createDatabase(prefix);
  created.push(db);
  if (sql) await query(db, sql);
  return db;
}


test('restoreBackup restores the latest backup into a new database and proves it equal to the source', { timeout: 300_000 }, async () => {
  const source = await database('rs-pg', RICH_SCHEMA_SQL);
  const config = testConfig('rs-pg', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database });
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const before = await fingerprint(source);

    const run = await runRestore(client, config, { type: 'postgres', target: source.database });
    assert.equal(run.failed, false, run.error);
    const [t] = run.result!.targets;
    assert.equal(t!.status, 'restored');
    assert.equal(t!.backupId, cycle.results[0]!.backupId);
    assert.match(t!.destination, new RegExp(`${source.database}_restore_\\d{8}_\\d{6}`));
    assert.ok(t!.verified.some((c) => c.includes('.dump')), 'the dump was verified before the restore');
    assert.ok(t!.proof!.checks.length > 10, 'the proof compares every table, sequences and the schema');
    assert.deepEqual(t!.proof!.checks.filter((c) => !c.ok), [], 'every proof check matched');
    assert.equal(run.result!.locatedFrom, 'catalog');

    const [copy] = await restoredCopies(source);
    assert.ok(copy, 'a new database was created');
    assert.deepEqual(await fingerprint({ ...source, database: copy! }), before, 'the restored copy holds exactly the source content');
    assert.deepEqual(await fingerprint(source), before, 'the source was not touched');

    const store = new ObjectStore(config.storage);
    const report = JSON.parse(await store.getText(run.result!.reportKey));
    store.destroy();
    assert.equal(report.format, 'cairn-restore-report');
    assert.equal(report.ok, true);
    const catalog = new Catalog(config.metadata);
    const rows = (await catalog.pool.query('SELECT * FROM restore_history WHERE workflow_id = $1', [run.workflowId])).rows;
    await catalog.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].ok, true);
  });
});

for (const compression of ['gzip', 'zstd']) test(`one flipped byte or a truncated object (${compression}): restore and validateOnly refuse, naming the object; nothing is touched`, { timeout: 300_000 }, async () => {
  const source = await database('rs-bad', 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;');
  await assertDamagedBackupRefused('rs-bad', source, await database('rs-bad-into', ''), compression);
});

test('restoring over a non-empty database without force is refused and changes nothing', { timeout: 300_000 }, async () => {
  const source = await database('rs-busy', 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100);');
  const other = await database('rs-busy-other', 'CREATE TABLE keep (x text); INSERT INTO keep VALUES (\'precious\');');
  const config = testConfig('rs-busy', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database });
  await withWorker(config, async (client) => {
    assert.equal((await runCycle(client, config)).failed, false);
    const before = await fingerprint(other);
    for (const into of [other.database, source.database]) {
      const run = await runRestore(client, config, { type: 'postgres', target: source.database, into });
      assert.equal(run.failed, true);
      assert.match(run.error!, new RegExp(`not empty.*nothing was changed.*force`));
    }
    assert.deepEqual(await fingerprint(other), before);
    const bad = await runRestore(client, config, { type: 'postgres', target: source.database, force: 'yes' });
    assert.match(bad.error!, /field 'force' must be true or false/);
  });
});

test('with the catalog unreachable, restore finds the latest backup and the latest complete set from the bucket alone', { timeout: 300_000 }, async () => {
  const source = await database('rs-nocat', 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 500);');
  const config = testConfig('rs-nocat', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database });
  await withWorker(config, async (client) => assert.equal((await runCycle(client, config)).failed, false));
  // The metadata database is gone: nothing listens where the catalog was.
  const lost = loadConfig({ ...process.env, CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket, CAIRN_METADATA_PORT: '1' });
  await withWorker(lost, async (client) => {
    for (const input of [{ type: 'postgres', target: source.database }, { type: 'all' }]) {
      // A default destination is named by the second the restore started: two in one second would meet.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
      const run = await runRestore(client, lost, input);
      assert.equal(run.failed, false, run.error);
      assert.equal(run.result!.locatedFrom, 'bucket');
      assert.equal(run.result!.targets[0]!.status, 'restored');
      assert.match(run.result!.catalogError ?? '', /restore_history not updated/);
    }
  });
  const copies = await restoredCopies(source);
  assert.equal(copies.length, 2);
  for (const copy of copies) assert.deepEqual(await fingerprint({ ...source, database: copy }), await fingerprint(source));
});

test('two restores into the same destination at once: one restores, the other is refused and changes nothing', { timeout: 300_000 }, async () => {
  const source = await database('rs-twice', 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 50000) g;');
  const config = testConfig('rs-twice', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database });
  const into = `${source.database}_restore_same`;
  await withWorker(config, async (client) => {
    assert.equal((await runCycle(client, config)).failed, false);
    const runs = await Promise.all([0, 1].map(() => runRestore(client, config, { type: 'postgres', target: source.database, into })));
    assert.deepEqual(runs.map((r) => r.failed).sort(), [false, true], JSON.stringify(runs.map((r) => r.error)));
    const refused = runs.find((r) => r.failed)!;
    assert.match(refused.error!, /another restore into .* is running|not empty/);
  });
  assert.deepEqual(await fingerprint({ ...source, database: into }), await fingerprint(source));
});
