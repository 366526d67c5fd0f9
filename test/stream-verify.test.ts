/**
 * CAIRN_VERIFY=stream on the real stack: a backup is checked as it uploads (archive walk, SHA-256 on the stream,
 * per-part SHA-256 that MinIO verifies on receipt, size and composite checksum it reports), a part corrupted in
 * transit is refused by the store and never becomes a backup, and CAIRN_VERIFY=readback still reads back.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createWorker } from '../worker/create';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { loadConfig } from '../config/load';
import { ArchiveWalker } from '../engines/postgres/archive-walk';
import { libpqEnv, pgBinary } from '../engines/postgres/tools';
import { testConfig, withWorker } from './support/stack';
import { createDatabase, dropDatabase, query } from './support/pg';
import { historyRows, readManifest, runCycle } from './support/cycle';
import type { CairnConfig, PostgresTarget } from '../config/types';

const created: PostgresTarget[] = [];
after(async () => { for (const db of created) await dropDatabase(db); });

/** ~13 MB of rows that compress poorly: more than two 5 MiB parts with compression none. */
async function database(): Promise<PostgresTarget> {
  const db = await createDatabase('stream-verify');
  created.push(db);
  await query(db, `CREATE TABLE notes (id int PRIMARY KEY, body text);
    INSERT INTO notes SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, 200000) g;
    CREATE TABLE empty_one (x int)`);
  return db;
}

interface Args { input: unknown; request: unknown }
type Middleware = (next: (args: Args) => Promise<unknown>, context: { commandName?: string }) => (args: Args) => Promise<unknown>;

/** A real worker whose S3 client runs `middleware` on every request (after the checksum headers are set). */
function withStoreFault<T>(config: CairnConfig, middleware: Middleware, fn: (client: Client) => Promise<T>): Promise<T> {
  return withWorker(config, fn, {}, (store) => (store as ObjectStore).client.middlewareStack.add(middleware as never, { step: 'build', name: 'testFault' }));
}

test('a part corrupted in transit is refused by the store, never becomes a backup, and the retry stores the right bytes', async () => {
  const source = await database();
  const config = testConfig('stream-verify', {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: 'none', S3_PART_SIZE_MB: '5', CAIRN_VERIFY: 'stream',
  });
  const refusals: string[] = [];
  let flipped = 0;
  const flipSecondPartOnce: Middleware = (next, context) => async (args) => {
    const input = args.input as { PartNumber?: number };
    const request = args.request as { body?: unknown };
    if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2 && flipped === 0 && request.body instanceof Uint8Array) {
      const body = Buffer.from(request.body);
      body[1000] ^= 0x20; // one bit, after the part's SHA-256 was computed and set in its header
      request.body = body;
      flipped++;
      try {
        return await next(args);
      } catch (err) {
        refusals.push((err as Error).name);
        throw err;
      }
    }
    return next(args);
  };
  const run = await withStoreFault(config, flipSecondPartOnce, (client) => runCycle(client, config));
  assert.equal(flipped, 1, 'the fault was injected once');
  assert.deepEqual(refusals, ['XAmzContentChecksumMismatch'], 'MinIO refused the corrupted part by its SHA-256');
  assert.equal(run.failed, false, run.error);
  const [result] = run.results;
  assert.equal(result!.status, 'success', 'the retried attempt uploads the right bytes');

  const manifest = await readManifest(config, result!.manifestKey!);
  const [artifact] = manifest.artifacts;
  assert.equal('inFlight' in artifact!, false, 'in-flight notes are not part of the manifest');
  const checks = manifest.validation.checks.join('\n');
  assert.match(checks, /pg_dump archive 1\.\d+\.\d walked on the upload stream: header, \d+ TOC entries, \d+ data block\(s\)/);
  assert.match(checks, /sha256 of each of [3-9] part\(s\) verified by the store on receipt/);
  assert.match(checks, /SHA-256 composite checksum reported by the store match/);
  assert.doesNotMatch(checks, /postgres structural check/, 'no read-back in stream mode');

  // What is stored is exactly what pg_restore reads, hashed as recorded: the refused part left no trace.
  const store = new ObjectStore(config.storage);
  try {
    const hash = createHash('sha256');
    for await (const chunk of await store.open(artifact!.key)) hash.update(chunk as Buffer);
    assert.equal(hash.digest('hex'), artifact!.sha256);
    assert.deepEqual(await store.pendingUploads(''), [], 'the refused upload was aborted');
  } finally {
    store.destroy();
  }
  const rows = await historyRows(config, run.workflowId);
  assert.deepEqual(rows.map((r: { status: string }) => r.status), ['success'], 'one row: the refused attempt did not add one');
});

test('with the fault on every attempt, every attempt is refused and no backup appears', { timeout: 240_000 }, async () => {
  const source = await database();
  const config = testConfig('stream-verify-bad', {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: 'none', S3_PART_SIZE_MB: '5',
    CAIRN_RETRY_WINDOW_MINUTES: '1', DB_RETRY_ATTEMPTS: '2', DB_RETRY_DELAY: '1',
  });
  const refusals = new Set<string>();
  const flipEveryPart: Middleware = (next, context) => async (args) => {
    const request = args.request as { body?: unknown };
    if (context.commandName !== 'UploadPartCommand' || !(request.body instanceof Uint8Array)) return next(args);
    const body = Buffer.from(request.body);
    body[0] ^= 1;
    request.body = body;
    return next(args).catch((err: Error) => { refusals.add(err.name); throw err; });
  };
  const run = await withStoreFault(config, flipEveryPart, (client) => runCycle(client, config));
  const [result] = run.results;
  assert.equal(result?.status, 'failed');
  assert.deepEqual([...refusals], ['XAmzContentChecksumMismatch'], 'every attempt was refused by its checksum');
  const store = new ObjectStore(config.storage);
  try {
    assert.deepEqual((await store.list('')).filter((o) => !o.key.startsWith('sets/')), [], 'no object, no sidecar, no manifest');
    assert.deepEqual(await store.pendingUploads(''), [], 'no unfinished upload left');
  } finally {
    store.destroy();
  }
});

test('CAIRN_VERIFY=readback reads the stored dump back; a bad CAIRN_VERIFY is refused by name', async () => {
  const source = await database();
  const config = testConfig('stream-verify-rb', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: 'zstd', CAIRN_VERIFY: 'readback' });
  const { worker, close } = await createWorker(config, { shutdownGraceTime: '2 seconds' });
  const client = await connectClient(config.temporal);
  try {
    const run = await worker.runUntil(runCycle(client, config));
    assert.equal(run.failed, false, run.error);
    const manifest = await readManifest(config, run.results[0]!.manifestKey!);
    assert.ok(manifest.validation.checks.includes('postgres structural check'), manifest.validation.checks.join('; '));
    assert.ok(manifest.validation.checks.includes(`size and sha256 of ${manifest.artifacts[0]!.key}`));
  } finally {
    await client.connection.close();
    await close();
  }
  assert.throws(() => loadConfig({ ...process.env, CAIRN_VERIFY: 'sometimes' }), /CAIRN_VERIFY must be stream or readback, got 'sometimes'/);
});

test('the archive walk refuses a truncated dump and one missing a data block, on real pg_dump output', async () => {
  const source = await database();
  const dump = execFileSync(pgBinary('pg_dump'), ['--format=custom', '--compress=0', source.database], { env: libpqEnv(source), maxBuffer: 64 << 20 });
  const walk = (bytes: Buffer, chunk = 4093) => {
    const w = new ArchiveWalker();
    for (let i = 0; i < bytes.length; i += chunk) w.write(bytes.subarray(i, i + chunk));
    return w.end({ 'public.notes': 200000, 'public.empty_one': 0 });
  };
  const whole = walk(dump);
  assert.equal(whole.walked, true);
  assert.ok(whole.tablesWithData.has('public.notes'));
  assert.throws(() => walk(dump.subarray(0, dump.length - 1)), /ends inside the data block of public\.(notes|empty_one)/);
  assert.throws(() => walk(dump.subarray(0, 200)), /ends inside its header or table of contents/);
  const gzip = execFileSync(pgBinary('pg_dump'), ['--format=custom', source.database], { env: libpqEnv(source), maxBuffer: 64 << 20 });
  assert.equal(walk(gzip, 1).walked, true, 'gzip inside the archive is walked without inflating it, even a byte at a time');
  assert.throws(() => walk(Buffer.concat([dump, Buffer.from([1, 0, 99, 0, 0, 0])])), /TOC id 99, which has no data entry/, 'bytes after the last block');
});
