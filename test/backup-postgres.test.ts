/** The backup cycle on real PostgreSQL, Temporal and MinIO: objects, sidecars, manifest, history, and a faithful restore. */
import { restoreInto } from './support/cycle';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { postgresEngine } from '../engines/postgres';
import { ObjectStore } from '../storage/s3';
import { backupPrefix } from '../storage/layout';
import { Catalog } from '../catalog/catalog';
import { testConfig, withWorker } from './support/stack';
import { createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { bucketReader, historyRows, readManifest, runCycle } from './support/cycle';
import type { PostgresTarget } from '../config/types';

const created: PostgresTarget[] = [];
after(async () => { for (const db of created) await dropDatabase(db); });

async function database(prefix: string, sql: string): Promise<PostgresTarget> {
  const db = await createDatabase(prefix);
  created.push(db);
  await query(db, sql);
  return db;
}

test('a rich database is backed up, verified, recorded, and restores to identical content', async () => {
  const source = await database('pg-rich', RICH_SCHEMA_SQL);
  const config = testConfig('pg-rich', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: 'zstd' });
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, false, run.error);
  const [result] = run.results;
  assert.equal(result!.status, 'success');
  assert.match(result!.backupId!, new RegExp(`^postgres_${source.database}_\\d{8}_\\d{6}$`));

  const manifest = await readManifest(config, result!.manifestKey!);
  const [artifact] = manifest.artifacts;
  const day = result!.backupId!.split('_').at(-2)!;
  assert.equal(artifact!.key, `postgres/${source.database}/${day.slice(0, 4)}/${day.slice(4, 6)}/${day.slice(6, 8)}/${result!.backupId}.dump.zst`);
  assert.equal(artifact!.encoding, 'zstd', 'zstd, recorded in the manifest');
  assert.equal(manifest.counts.tables!['public.everything'], 501);
  assert.equal(manifest.counts.tables!['sales.orders_2024'] + manifest.counts.tables!['sales.orders_2025']!, 2000);
  assert.equal(manifest.counts.tables!['Mixed Case.Table With Spaces'], 2);
  assert.match(manifest.sourceVersion, /^PostgreSQL 1\d/);
  assert.ok(manifest.consistency.snapshot, 'the exported snapshot the dump used is recorded');

  // The object, its sidecar and `sha256sum -c` agree, as an operator would check by hand.
  const store = new ObjectStore(config.storage);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pg-'));
  const file = join(dir, artifact!.key.split('/').at(-1)!);
  await pipeline(await store.open(artifact!.key), createWriteStream(file));
  writeFileSync(`${file}.sha256`, await store.getText(`${artifact!.key}.sha256`));
  assert.match(execFileSync('sha256sum', ['-c', `${file}.sha256`], { cwd: dir, encoding: 'utf8' }), /: OK/);
  assert.equal(createHash('sha256').update(execFileSync('cat', [file])).digest('hex'), artifact!.sha256);

  const [row] = await historyRows(config, run.workflowId);
  assert.equal(row.status, 'success');
  assert.equal(row.backup_type, 'postgres');
  assert.equal(row.checksum, artifact!.sha256);
  assert.equal(Number(row.size_bytes), artifact!.sizeBytes);
  assert.equal(row.object_key, artifact!.key);

  const restored = await createDatabase('pg-rich-restored');
  created.push(restored);
  await restoreInto(postgresEngine, restored, manifest.artifacts, bucketReader(store));
  assert.deepEqual(await fingerprint(restored), await fingerprint(source));
  assert.deepEqual(await postgresEngine.count(restored), manifest.counts);

  // Without Cairn: the documented one-liner, standard tools only (zstd from Debian's zstd package).
  const byHand = await createDatabase('pg-rich-zstd-cli');
  created.push(byHand);
  execFileSync('bash', ['-o', 'pipefail', '-c', 'zstd -dc "$1" | pg_restore --no-owner --no-acl -d "$2"', '-', file, byHand.database],
    { env: { ...process.env, PGHOST: byHand.host, PGPORT: String(byHand.port), PGUSER: byHand.user, PGPASSWORD: byHand.password } });
  assert.deepEqual(await fingerprint(byHand), await fingerprint(source));
  store.destroy();
});

test('compression gzip is pg_dump\'s own: a plain .dump that pg_restore reads as is, restored through Cairn', async () => {
  const source = await database('pg-gzip', 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, repeat(g::text, 20) FROM generate_series(1, 1000) g;');
  const config = testConfig('pg-gzip', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: 'gzip:1' });
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, false, run.error);
  const manifest = await readManifest(config, run.results[0]!.manifestKey!);
  const [artifact] = manifest.artifacts;
  assert.match(artifact!.key, /\.dump$/);
  assert.equal(artifact!.compressed, false, 'the archive compresses itself; Cairn stores it as pg_dump wrote it');
  assert.equal(artifact!.meta?.compression, 'gzip:1');
  const store = new ObjectStore(config.storage);
  const restored = await createDatabase('pg-gzip-restored');
  created.push(restored);
  await restoreInto(postgresEngine, restored, manifest.artifacts, bucketReader(store));
  assert.deepEqual(await fingerprint(restored), await fingerprint(source));
  store.destroy();
});

test('one failing target does not stop the others; the failure is named, recorded, and leaves no objects', async () => {
  const good = await database('pg-good', 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 10);');
  const config = testConfig('pg-mixed', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: `${good.database},no-such-db` });
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, true);
  assert.match(run.error!, /1 of 2 target\(s\) failed: no-such-db: .*does not exist/);
  const byTarget = Object.fromEntries(run.results.map((r) => [r.target, r]));
  assert.equal(byTarget[good.database]!.status, 'success');
  assert.equal(byTarget['no-such-db']!.status, 'failed');

  const rows = await historyRows(config, run.workflowId);
  const bad = rows.find((r) => r.target === 'no-such-db');
  assert.equal(bad.status, 'failed');
  assert.match(bad.error_message, /database "no-such-db" does not exist/);
  const store = new ObjectStore(config.storage);
  assert.deepEqual(await store.list('postgres/no-such-db/'), []);
  store.destroy();
});

test('an unknown target name fails the cycle at once, naming it and the configured targets', async () => {
  const config = testConfig('pg-unknown', { CAIRN_TARGET_TYPES: 'postgres' });
  const run = await withWorker(config, (client) => runCycle(client, config, { targets: ['nope'] }));
  assert.equal(run.failed, true);
  assert.deepEqual(run.results, []);
  assert.match(run.error!, /unknown target\(s\): nope; configured targets: cairn/);
});

test('wrong object-store credentials fail the target at once, naming what to check, with nothing retried for minutes', async () => {
  const config = testConfig('pg-bad-s3', { CAIRN_TARGET_TYPES: 'postgres', MINIO_SECRET_KEY: 'not-the-secret' });
  const started = Date.now();
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, true);
  assert.match(run.results[0]!.error!, /object store refused the request \((SignatureDoesNotMatch|InvalidAccessKeyId|HTTP 403)\); check MINIO_ACCESS_KEY and MINIO_SECRET_KEY, and BACKUP_BUCKET/);
  assert.doesNotMatch(JSON.stringify(run), /not-the-secret/);
  assert.ok(Date.now() - started < 30_000, 'no retry loop with backoff');
  const [row] = await historyRows(config, run.workflowId);
  assert.equal(row.status, 'failed');
});

test('backups past BACKUP_RETENTION_DAYS are pruned after a cycle, but never a target\'s newest good backup', async () => {
  const source = await database('pg-retention', 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 5);');
  const config = testConfig('pg-retention', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, BACKUP_RETENTION_DAYS: '7' });
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const age = (backupId: string) => catalog.pool.query(`UPDATE backup_history SET timestamp = timestamp - interval '30 days' WHERE backup_id = $1`, [backupId]);
  try {
    const first = await withWorker(config, (client) => runCycle(client, config));
    const old = first.results[0]!.backupId!;
    await age(old);
    const second = await withWorker(config, (client) => runCycle(client, config));
    assert.equal(second.failed, false, second.error);
    const kept = second.results[0]!.backupId!;
    assert.notEqual(kept, old);
    assert.deepEqual(second.pruned, [old]);

    const [oldRow] = await historyRows(config, first.workflowId);
    assert.ok(oldRow.expired_at, 'the pruned backup\'s row records when it expired');
    assert.equal(oldRow.status, 'success', 'history keeps how the backup ended');
    assert.deepEqual(await store.list(backupPrefix(old)), []);
    assert.equal((await store.list(backupPrefix(kept))).length, 3);

    // Now even the newest backup is past the window: it stays, because it is all there is to restore.
    await age(kept);
    assert.deepEqual(await catalog.expired(source.database, 7), []);
  } finally {
    store.destroy();
    await catalog.close();
  }
});
