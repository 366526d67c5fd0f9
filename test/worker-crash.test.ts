/**
 * A worker killed in the middle of uploading a few-hundred-MB dump: a new worker finishes the cycle, and the
 * bucket and catalog hold exactly one backup, with no leftover parts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { testConfig } from './support/stack';
import { createDatabase, dropDatabase, query } from './support/pg';
import { historyRows, readManifest } from './support/cycle';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';
import type { BackupCycleResult } from '../workflows/inputs';
import type { PostgresTarget } from '../config/types';

let db: PostgresTarget | undefined;
const workers: WorkerProcess[] = [];
after(async () => {
  for (const w of workers) await w.kill();
  if (db) await dropDatabase(db);
});

async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}`);
}

test('a worker killed mid-upload is replaced and the cycle completes with exactly one object and one success row', { timeout: 900_000 }, async () => {
  db = await createDatabase('pg-big');
  // ~300 MB of poorly compressible rows, so the dump spans many multipart parts.
  await query(db, `CREATE TABLE big (id bigint PRIMARY KEY, payload text, n double precision);
    INSERT INTO big SELECT g, encode(sha512(g::text::bytea), 'base64') || encode(sha512((g + 1)::text::bytea), 'base64') || md5(g::text), random() FROM generate_series(1, 1100000) g;`);
  const tableBytes = Number((await query<{ n: string }>(db, `SELECT pg_total_relation_size('big') AS n`))[0]!.n);
  assert.ok(tableBytes > 250 * 1024 * 1024, `the table is a few hundred MB (${(tableBytes / 1048576).toFixed(0)} MB)`);

  const env = { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, S3_PART_SIZE_MB: '8', CAIRN_PG_COMPRESSION: 'gzip' };
  const config = testConfig('crash', env);
  const workerEnv = { ...env, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket };
  const first = startWorkerProcess(workerEnv);
  workers.push(first);
  await first.ready;

  const client = await connectClient(config.temporal);
  const store = new ObjectStore(config.storage);
  await store.ensureBucket();
  const workflowId = `test-crash-${randomUUID()}`;
  const handle = await client.workflow.start('backupCycle', { taskQueue: config.temporal.taskQueue, workflowId, args: [{}] });

  // Kill the worker once the dump's multipart upload has parts in the bucket: squarely mid-upload.
  const upload = await waitFor('a multipart upload with parts', 300, async () => {
    for (const u of await store.pendingUploads(`postgres/${db!.database}/`)) {
      const parts = await store.client.send(new ListPartsCommand({ Bucket: store.bucket, Key: u.key, UploadId: u.uploadId }));
      if ((parts.Parts ?? []).length >= 2) return u;
    }
    return undefined;
  });
  await first.kill('SIGKILL');
  assert.equal(await store.size(upload.key), undefined, 'nothing is visible under the final key while the upload is unfinished');

  const second = startWorkerProcess(workerEnv);
  workers.push(second);
  await second.ready;
  const result: BackupCycleResult = await handle.result();
  await second.kill('SIGTERM');

  assert.equal(result.results.length, 1);
  const [r] = result.results;
  assert.equal(r!.status, 'success');
  const objects = (await store.list(`postgres/${db.database}/`)).map((o) => o.key).sort();
  const base = upload.key.replace(/\.dump$/, '');
  assert.deepEqual(objects, [`${base}.dump`, `${base}.dump.sha256`, `${base}.manifest.json`]);
  assert.deepEqual(await store.pendingUploads(`postgres/${db.database}/`), [], 'the killed worker\'s unfinished upload was aborted');

  const rows = await historyRows(config, workflowId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status, 'success');
  const manifest = await readManifest(config, r!.manifestKey!);
  assert.equal(manifest.counts.tables!['public.big'], 1100000);
  assert.equal(Number(rows[0].size_bytes), manifest.artifacts[0]!.sizeBytes);
  assert.equal(await store.size(`${base}.dump`), manifest.artifacts[0]!.sizeBytes);

  // The retry is visible in Temporal's history: the dump ran more than once.
  const history = await handle.fetchHistory();
  const dumpAttempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes && (e.activityTaskStartedEventAttributes.attempt ?? 1) > 1);
  assert.ok(dumpAttempts.length >= 1, 'the dump activity was retried on the new worker');
  store.destroy();
  await client.connection.close();
});
