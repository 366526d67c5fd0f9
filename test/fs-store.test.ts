/**
 * The directory store (BACKUP_DIR) keeps the bucket's promises on a plain disk: keys never reach outside the
 * directory, a failed or killed write leaves nothing under its final name (and the previous file intact), and
 * a worker SIGKILLed in the middle of a large dump leaves no dump under a final name; the next worker finishes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { connectClient } from '../client/connection';
import { FileStore } from '../storage/fs-store';
import type { BackupCycleResult } from '../workflows/inputs';
import type { PostgresTarget } from '../config/types';
import { testConfig } from './support/stack';
import { createDatabase, dropDatabase, query } from './support/pg';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const directories: string[] = [];
const workers: WorkerProcess[] = [];
let db: PostgresTarget | undefined;
after(async () => {
  for (const w of workers) await w.kill();
  if (db) await dropDatabase(db);
  for (const d of directories) rmSync(d, { recursive: true, force: true });
});

function directory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-fs-store-'));
  directories.push(dir);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test('keys map to paths under the directory only: anything that could climb out is refused before touching the disk', async () => {
  const dir = directory();
  const store = new FileStore(path.join(dir, 'backups'), 'team/');
  for (const key of ['../outside', 'a/../../outside', '/etc/passwd', 'a//b', './a', 'a/..', 'a\\..\\..\\b', 'a/\0b', '.cairn-partial-x']) {
    await assert.rejects(store.putText(key, 'x'), /not a key this store can hold/, key);
    assert.throws(() => store.pathOf(key), /not a key this store can hold/, key);
  }
  await store.putText('postgres/app/x.json', '{}');
  assert.deepEqual(filesUnder(dir), ['backups/team/postgres/app/x.json'], 'the prefix is a directory under BACKUP_DIR');
  assert.deepEqual((await store.list('')).map(({ key, size }) => ({ key, size })), [{ key: 'postgres/app/x.json', size: 2 }]);
  assert.throws(() => new FileStore('relative/dir', ''), /absolute/);
});

test('a write that fails midway leaves the previous file whole and nothing new under its name', async () => {
  const store = new FileStore(directory(), '');
  await store.putText('p/a.dump', 'the good backup');
  async function* failing(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(1 << 20, 7);
    throw new Error('the dump died');
  }
  await assert.rejects(store.upload('p/a.dump', Readable.from(failing()), 'application/octet-stream'), /the dump died/);
  await assert.rejects(store.upload('p/b.dump', Readable.from(failing()), 'application/octet-stream'), /the dump died/);
  assert.equal(await store.getText('p/a.dump'), 'the good backup');
  assert.equal(await store.size('p/b.dump'), undefined);
  assert.deepEqual((await store.list('p/')).map((o) => o.key), ['p/a.dump']);
  await assert.rejects(store.getText('p/b.dump'), (err: Error) => err.name === 'NoSuchKey');
});

test('a killed writer\'s temporary file is never listed, and abortStaleUploads removes only those under its prefix', async () => {
  const dir = directory();
  const store = new FileStore(dir, '');
  await store.putText('p/x/keep.json', '{}');
  writeFileSync(path.join(dir, 'p/x', `.cairn-partial-b1.dump-${randomUUID()}`), 'half a dump');
  writeFileSync(path.join(dir, 'p/x', `.cairn-partial-b2.dump-${randomUUID()}`), 'another writer, still running');
  assert.deepEqual((await store.list('p/')).map((o) => o.key), ['p/x/keep.json']);
  assert.equal(await store.abortStaleUploads('p/x/b1'), 1);
  assert.equal(filesUnder(dir).length, 2, 'the other backup\'s temporary file is left alone');
  assert.equal(await store.abortStaleUploads('p/'), 1);
  assert.deepEqual(filesUnder(dir), ['p/x/keep.json']);
});

test('a worker SIGKILLed while writing a large dump to BACKUP_DIR leaves no file under a final name; the next worker finishes the cycle', { timeout: 900_000 }, async () => {
  db = await createDatabase('fs-big');
  await query(db, `CREATE TABLE big (id bigint PRIMARY KEY, payload text);
    INSERT INTO big SELECT g, encode(sha512(g::text::bytea), 'base64') || encode(sha512((g + 1)::text::bytea), 'base64') FROM generate_series(1, 700000) g;`);
  const backups = path.join(directory(), 'backups');
  const env = { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, BACKUP_BUCKET: '', BACKUP_DIR: backups, CAIRN_PG_COMPRESSION: 'gzip' };
  const config = testConfig('fs-crash', env);
  const workerEnv = { ...env, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue };
  const first = startWorkerProcess(workerEnv);
  workers.push(first);
  await first.ready;

  const client = await connectClient(config.temporal);
  const handle = await client.workflow.start('backupCycle', { taskQueue: config.temporal.taskQueue, workflowId: `test-fs-crash-${randomUUID()}`, args: [{}] });
  const target = path.join(backups, 'postgres', db.database);
  const partialDump = () => {
    try {
      return filesUnder(target).find((f) => path.basename(f).startsWith('.cairn-partial-') && f.includes('.dump-'));
    } catch {
      return undefined;
    }
  };
  // Poll (not a timer on the outcome): kill as soon as a dump is being written.
  while (!partialDump()) await new Promise((r) => setTimeout(r, 50));
  await first.kill('SIGKILL');
  const left = filesUnder(target);
  assert.ok(left.some((f) => path.basename(f).startsWith('.cairn-partial-')), 'the dump was mid-write when the worker died');
  assert.deepEqual(left.filter((f) => !path.basename(f).startsWith('.cairn-partial-')), [], 'no file under a final name');

  const second = startWorkerProcess(workerEnv);
  workers.push(second);
  await second.ready;
  const result: BackupCycleResult = await handle.result();
  await second.kill('SIGTERM');
  assert.deepEqual(result.results.map((r) => r.status), ['success']);
  const base = result.results[0]!.manifestKey!.replace(/\.manifest\.json$/, '');
  assert.deepEqual(filesUnder(backups).filter((f) => f.startsWith('postgres/')), [`${base}.dump`, `${base}.dump.sha256`, `${base}.manifest.json`],
    'one backup, complete, and the killed worker\'s temporary file is gone');
  await client.connection.close();
});
