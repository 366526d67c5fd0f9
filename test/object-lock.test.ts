/**
 * S3 Object Lock on the real MinIO: backups written with retention cannot be deleted before their date, by a
 * direct S3 delete or by Cairn's pruning (which reports them kept); doctor shows the bucket's lock and
 * versioning; lock settings on a bucket without object lock are refused, naming the variable.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, type S3Client,
} from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { CairnConfig, PostgresTarget } from '../config/types';
import type { DoctorReport } from '../workflows/inputs';
import { Catalog } from '../catalog/catalog';
import { ObjectStore } from '../storage/s3';
import { deleteForever, ObjectLockedError } from '../storage/object-lock';
import { testConfig, withWorker } from './support/stack';
import { createDatabase, dropDatabase, query } from './support/pg';
import { readManifest, runCycle } from './support/cycle';

const databases: PostgresTarget[] = [];
const buckets: CairnConfig[] = [];
after(async () => {
  for (const db of databases) await dropDatabase(db);
  // Test buckets use GOVERNANCE, which an administrator may bypass: that is how they are cleaned up.
  for (const config of buckets) {
    const store = new ObjectStore(config.storage);
    await emptyBucket(store.client, store.bucket).catch(() => undefined);
    store.destroy();
  }
});

async function emptyBucket(client: S3Client, Bucket: string) {
  const listing = await client.send(new ListObjectVersionsCommand({ Bucket }));
  for (const v of [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])]) {
    await client.send(new DeleteObjectCommand({ Bucket, Key: v.Key, VersionId: v.VersionId, BypassGovernanceRetention: true }));
  }
  await client.send(new DeleteBucketCommand({ Bucket }));
}

async function source(): Promise<PostgresTarget> {
  const db = await createDatabase('lock-pg');
  databases.push(db);
  await query(db, 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 1000)');
  return db;
}

const doctor = (client: Client, config: CairnConfig) =>
  client.workflow.execute('doctor', { taskQueue: config.temporal.taskQueue, workflowId: `test-doctor-${randomUUID()}`, args: [{}] }) as Promise<DoctorReport>;

test('with object lock, a backup cannot be deleted before its retention date, and pruning reports it kept', { timeout: 300_000 }, async () => {
  const db = await source();
  const config = testConfig('lock', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, BACKUP_LOCK_MODE: 'governance', BACKUP_LOCK_DAYS: '2' });
  buckets.push(config);
  const store = new ObjectStore(config.storage);
  await withWorker(config, async (client) => {
    const first = await runCycle(client, config);
    assert.equal(first.failed, false, first.error);
    const manifest = await readManifest(config, first.results[0]!.manifestKey!);
    const keys = [first.results[0]!.manifestKey!, ...manifest.artifacts.flatMap((a) => [a.key, a.sidecarKey])];
    for (const key of keys) {
      const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
      assert.equal(head.ObjectLockMode, 'GOVERNANCE', `${key} is locked`);
      const days = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000;
      assert.ok(days > 1.9 && days <= 2, `${key} is retained for BACKUP_LOCK_DAYS (${days.toFixed(3)} days)`);
    }

    // A direct S3 delete of the object's data is refused by the store, and the bytes stay readable.
    const dump = manifest.artifacts[0]!;
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: dump.key }));
    await assert.rejects(store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: dump.key, VersionId: head.VersionId })), /WORM|AccessDenied/);
    await assert.rejects(deleteForever(store, [dump.key]), (err: unknown) => err instanceof ObjectLockedError && /until 20\d\d-/.test(err.message));
    const body = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: dump.key }));
    assert.equal((await body.Body!.transformToByteArray()).length, dump.sizeBytes, 'the object is still whole');

    // Make the first backup look 40 days old, then let the next cycle's pruning try to delete it.
    const catalog = new Catalog(config.metadata);
    await catalog.pool.query(`UPDATE backup_history SET timestamp = now() - interval '40 days' WHERE backup_id = $1`, [manifest.backupId]);
    const second = await runCycle(client, config);
    assert.equal(second.failed, false, second.error);
    const kept = await client.workflow.getHandle(second.workflowId).result() as { kept?: { backupId: string; reason: string }[]; pruned: string[] };
    assert.deepEqual(kept.pruned, []);
    assert.equal(kept.kept?.[0]?.backupId, manifest.backupId);
    assert.match(kept.kept![0]!.reason, /^ObjectLocked until \d{4}-\d\d-\d\dT/);
    const row = (await catalog.pool.query('SELECT expired_at FROM backup_history WHERE backup_id = $1', [manifest.backupId])).rows[0];
    await catalog.close();
    assert.equal(row.expired_at, null, 'the catalog still lists it');
    for (const key of keys) assert.notEqual(await store.size(key), undefined, `${key} is still in the bucket`);

    const report = await doctor(client, config);
    const check = report.sections.find((s) => s.kind === 'storage')!.checks.find((c) => c.check === 'immutability')!;
    assert.equal(check.ok, true);
    assert.match(check.detail, /object lock enabled, versioning enabled; Cairn writes every object with GOVERNANCE retention of 2 day/);
  });
  store.destroy();
});

test('lock settings on a bucket without object lock are refused, naming BACKUP_LOCK_MODE; nothing is written', { timeout: 300_000 }, async () => {
  const db = await source();
  const plain = testConfig('nolock', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database });
  buckets.push(plain);
  const store = new ObjectStore(plain.storage);
  await store.ensureBucket();
  const locked: CairnConfig = { ...plain, storage: { ...plain.storage, objectLock: { mode: 'COMPLIANCE', days: 7 } } };
  await withWorker(locked, async (client) => {
    const cycle = await runCycle(client, locked);
    assert.equal(cycle.failed, true);
    assert.match(cycle.error!, /BACKUP_LOCK_MODE is COMPLIANCE, but bucket '.*' has no S3 Object Lock/);
    assert.deepEqual((await store.list('postgres/')).map((o) => o.key), [], 'no backup object was written');
    const report = await doctor(client, locked);
    assert.equal(report.ok, false);
    const bucket = report.sections.find((s) => s.kind === 'storage')!.checks[0]!;
    assert.match(bucket.detail, /BACKUP_LOCK_MODE/);
  });
  store.destroy();
});
