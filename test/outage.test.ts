/**
 * The object store goes away in the middle of an upload for longer than the dump's old retry budget (5
 * attempts from 10 s doubling: 150 s of waiting). The cycle keeps retrying, says so in `cairn backup --wait`,
 * and completes once the store is back, with exactly one backup and nothing left over.
 * The store is a MinIO of this test's own: the shared one stays up for everyone else.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import type { PostgresTarget } from '../config/types';
import { testConfig } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, query } from './support/pg';
import { historyRows } from './support/cycle';
import { PrivateMinio } from './support/private-minio';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const OLD_DUMP_RETRY_BUDGET_S = 10 + 20 + 40 + 80;
const OUTAGE_S = 170;
const CAIRN = join(__dirname, '..', '..', 'bin', 'cairn.js');

let db: PostgresTarget | undefined;
let minio: PrivateMinio | undefined;
let worker: WorkerProcess | undefined;
after(async () => {
  await worker?.kill('SIGTERM');
  await minio?.destroy();
  if (db) await dropDatabase(db);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a store outage longer than the old retry budget, mid-upload, no longer fails the cycle', { timeout: 900_000 }, async (t) => {
  assert.ok(OUTAGE_S > OLD_DUMP_RETRY_BUDGET_S);
  minio = await PrivateMinio.create();
  await minio.start();
  db = await createDatabase('pg-outage');
  // ~100 MB of poorly compressible rows: the dump spans many 5 MiB parts, so there is time to pull the plug.
  await query(db, `CREATE TABLE big (id bigint PRIMARY KEY, payload text);
    INSERT INTO big SELECT g, encode(sha512(g::text::bytea), 'base64') || encode(sha512((g + 1)::text::bytea), 'base64') FROM generate_series(1, 400000) g;`);

  const env = {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, S3_PART_SIZE_MB: '5', CAIRN_PG_COMPRESSION: 'gzip',
    MINIO_ENDPOINT: minio.endpoint, DB_RETRY_DELAY: '2',
  };
  const config = testConfig('outage', env);
  const runEnv = { ...process.env, ...env, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket };
  worker = startWorkerProcess(runEnv as Record<string, string>);
  await worker.ready;

  const cli = spawn(process.execPath, [CAIRN, 'backup', '--wait'], { env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  cli.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  cli.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));

  // Pull the plug once the dump's multipart upload has a part in the store: squarely mid-upload.
  const store = new ObjectStore(config.storage);
  let uploadKey: string | undefined;
  for (let i = 0; i < 1200 && !uploadKey; i++) {
    for (const u of await store.pendingUploads(`postgres/${db.database}/`).catch(() => [])) {
      const parts = await store.client.send(new ListPartsCommand({ Bucket: store.bucket, Key: u.key, UploadId: u.uploadId }));
      if ((parts.Parts ?? []).length >= 1) uploadKey = u.key;
    }
    if (!uploadKey) await sleep(100);
  }
  assert.ok(uploadKey, `no upload was under way in time; cairn backup said:\n${out}`);
  await minio.stop();
  await sleep(OUTAGE_S * 1000);
  assert.equal(cli.exitCode, null, `the cycle is still going after ${OUTAGE_S} s without a store:\n${out}`);
  await minio.start();

  assert.equal(await exited, 0, out);
  assert.match(out, new RegExp(`postgres/${db.database}: dump: waiting for the store, retry \\d+ of \\d+ in \\d+ s \\(.*${minio.port}`), out);
  assert.match(out, new RegExp(`postgres/${db.database}: success`), out);
  // What an operator saw, for whoever reads the test log.
  for (const line of out.split('\n').filter((l) => /waiting for|dumping|success/.test(l))) t.diagnostic(line);

  // Exactly one backup: its three objects, no unfinished upload, one success row.
  const base = uploadKey.replace(/\.dump$/, '');
  assert.deepEqual((await store.list(`postgres/${db.database}/`)).map((o) => o.key).sort(), [`${base}.dump`, `${base}.dump.sha256`, `${base}.manifest.json`]);
  assert.deepEqual(await store.pendingUploads(`postgres/${db.database}/`), []);
  // No pg_dump from a failed attempt is left behind stuck in COPY: it would hold back vacuum and stall every
  // DROP/CREATE DATABASE on the server.
  const stuck = await query(adminTarget(), `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'COPY %' AND state = 'active'`, [db.database]);
  assert.deepEqual(stuck, [], 'no dump session outlives its attempt');
  const workflowId = /started backup cycle (\S+)/.exec(out)![1]!;
  const rows = await historyRows(config, workflowId);
  assert.deepEqual(rows.map((r) => r.status), ['success']);

  // The history shows the dump needed more attempts than the old policy's 5, and the worker logged each failure.
  const client = await connectClient(config.temporal);
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const dumpAttempt = Math.max(...events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1));
  assert.ok(dumpAttempt > 5, `the dump succeeded on attempt ${dumpAttempt}`);
  assert.match(worker.output(), /Activity failed/);
  await client.connection.close();
  store.destroy();
});
