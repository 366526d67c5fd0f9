/**
 * The PostgreSQL engine's restore, proof and drill support on the real local server: a rich database is backed
 * up with fingerprints, restored into new, empty and non-empty databases, proven, smoke-tested and dropped.
 * Every database here is this file's own (prefix pg-rst-<random>), dropped at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { Client } from 'pg';
import type { PostgresTarget } from '../config/types';
import type { Destination } from '../engines/engine';
import { postgresEngine } from '../engines/postgres';
import { checkVersions } from '../engines/postgres/versions';
import type { Manifest } from '../storage/format/manifest';
import { FileArtifacts } from './support/file-artifacts';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { adminTarget, fingerprint, query } from './support/pg';
import { backUp, databasesLike, largeObjects, restoreDestination } from './support/pg-restore';

const PREFIX = `pg-rst-${randomUUID().slice(0, 6)}`;
// pg_dump's own gzip: the tests below damage the custom archive's bytes themselves (truncate it, bump its
// format version), which a zstd stream around the archive (the default) would hide.
const source: PostgresTarget = { ...adminTarget(), name: PREFIX, database: PREFIX, compression: { method: 'gzip' } };
let files: FileArtifacts;
let manifest: Manifest;
let expected: Record<string, string>;
let stampSeq = 0;
const stamp = () => `20261121_10${String(stampSeq++).padStart(4, '0')}`;

before(async () => {
  await query(adminTarget(), `CREATE DATABASE "${PREFIX}" TEMPLATE template0`);
  await query(source, RICH_SCHEMA_SQL);
  ({ files, manifest } = await backUp(source, 'pg-rst'));
  expected = await fingerprint(source);
});

after(async () => {
  for (const db of await databasesLike(PREFIX)) await query(adminTarget(), `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await files?.cleanup();
});

function failures(report: { checks: { check: string; ok: boolean }[] }): string[] {
  return report.checks.filter((c) => !c.ok).map((c) => c.check);
}

test('backup records per-table fingerprints, sequences, large objects and the schema, in the dump\'s snapshot', () => {
  const proof = manifest.proof as { tables: Record<string, { rows: number }>; sequences: Record<string, unknown>; largeObjects: { count: number }; schema: { statements: number } };
  assert.equal(proof.tables['public.everything']!.rows, 501);
  assert.equal(proof.tables['public.tricky']!.rows, 20);
  assert.equal(manifest.counts.tables!['public.customers'], 50, 'counts come from the same scans');
  assert.deepEqual(proof.sequences['public.invoice_no'], { lastValue: '1041', isCalled: true });
  assert.equal(proof.largeObjects.count, 5);
  assert.ok(proof.schema.statements > 20);
  assert.equal(manifest.consistency.encoding, 'UTF8');
});

test('a restore into a new database equals the source, prove() says so item by item, and drop() removes it', async () => {
  const at = stamp();
  const dest = restoreDestination(source, manifest, at);
  assert.equal(dest.target.database, `${PREFIX}_restore_${at}`);
  assert.equal(dest.created, true);
  assert.doesNotMatch(dest.label + dest.key, /cairn@|password|:cairn\b/);
  assert.deepEqual(await postgresEngine.inspect(dest), { empty: true, detail: `${dest.label} does not exist; the restore creates it` });

  const outcome = await postgresEngine.restore(dest, manifest, files.read, { replace: false });
  assert.match(outcome.notes.join('\n'), /created postgres .* streamed in one transaction/);
  assert.deepEqual(await fingerprint(dest.target), expected);
  assert.deepEqual(await largeObjects(dest.target), await largeObjects(source));

  const report = await postgresEngine.prove(dest, manifest, outcome, files.read);
  assert.deepEqual(failures(report), []);
  const names = report.checks.map((c) => c.check);
  for (const c of ['table public.everything', 'table Mixed Case.Table With Spaces', 'table sales.scratch', 'table sales.totals', 'sequence public.invoice_no', 'large objects', 'schema']) {
    assert.ok(names.includes(c), `prove() checks ${c}`);
  }
  const inspected = await postgresEngine.inspect(dest);
  assert.equal(inspected.empty, false);
  assert.match(inspected.detail, /holds \d+ table\(s\)/);

  const smoke = await postgresEngine.smoke(dest);
  assert.deepEqual(smoke.filter((c) => !c.ok), []);
  assert.ok(smoke.some((c) => c.check === 'read public.everything'), 'the largest table is read');

  await query(dest.target, `UPDATE public.tricky SET cairn_row_ = 'changed' WHERE cairn_row = 7`);
  await query(dest.target, `SELECT lo_put(body, 0, 'X') FROM public.documents WHERE id = 2`);
  await query(dest.target, `SELECT setval('public.invoice_no', 5000); CREATE INDEX tricky_extra ON public.tricky (cairn_row)`);
  const tampered = await postgresEngine.prove(dest, manifest, outcome, files.read);
  assert.deepEqual(failures(tampered), ['table public.tricky', 'sequence public.invoice_no', 'large objects', 'schema']);
  const tricky = tampered.checks.find((c) => c.check === 'table public.tricky')!;
  assert.match(tricky.expected!, /^20 row\(s\), hash -?\d+$/);
  assert.notEqual(tricky.found, tricky.expected);

  await postgresEngine.drop(dest);
  assert.deepEqual(await databasesLike(dest.target.database), []);
  await postgresEngine.drop(dest); // idempotent
});

test('a non-empty database is refused without replace and left as it was; with replace it is swapped and kept', async () => {
  const dest = restoreDestination(source, manifest, stamp(), `${PREFIX}-busy`);
  assert.equal(dest.created, false, 'a database named by the operator is not Cairn\'s to drop');
  await query(adminTarget(), `CREATE DATABASE "${dest.target.database}" TEMPLATE template0`);
  await query(dest.target, `CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep me')`);
  const before = await fingerprint(dest.target);
  assert.match((await postgresEngine.inspect(dest)).detail, /holds 1 table\(s\).*public\.precious/);

  await assert.rejects(postgresEngine.restore(dest, manifest, files.read, { replace: false }),
    (err: Error) => err.name === 'PermanentError' && /refusing to restore into .*-busy: it is not empty \(1 table\(s\).*public\.precious/.test(err.message));
  assert.deepEqual(await fingerprint(dest.target), before);
  assert.deepEqual(await databasesLike(`${PREFIX}-busy`), [`${PREFIX}-busy`], 'nothing created beside it');
  const typeOnly = restoreDestination(source, manifest, stamp(), `${PREFIX}-typed`);
  await query(adminTarget(), `CREATE DATABASE "${typeOnly.target.database}" TEMPLATE template0`);
  await query(typeOnly.target, `CREATE TYPE mood AS ENUM ('meh')`);
  assert.equal((await postgresEngine.inspect(typeOnly)).empty, false, 'a database holding only a type is not empty');

  // What a worker that died mid-replace leaves behind: a marked, half-filled database beside the destination.
  const leftover = `${PREFIX}-busy_incoming_20200101_000000`;
  await query(adminTarget(), `CREATE DATABASE "${leftover}" TEMPLATE template0`);
  await query(adminTarget(), `COMMENT ON DATABASE "${leftover}" IS 'cairn: restore in progress'`);
  const outcome = await postgresEngine.restore(dest, manifest, files.read, { replace: true });
  assert.deepEqual(await fingerprint(dest.target), expected);
  const kept = (await databasesLike(`${PREFIX}-busy_replaced_`))[0]!;
  assert.ok(kept, 'the old database is kept under a new name');
  assert.match(outcome.notes.join('\n'), new RegExp(`previous database kept as ${kept}`));
  assert.deepEqual(await fingerprint({ ...dest.target, database: kept }), before);
  assert.deepEqual(await databasesLike(`${PREFIX}-busy_incoming_`), [], 'no temporary database left, nor the dead attempt\'s');
  assert.deepEqual(failures(await postgresEngine.prove(dest, manifest, outcome, files.read)), []);

  await assert.rejects(postgresEngine.drop(dest), /refusing to drop .*-busy: Cairn did not create it/);
  assert.deepEqual(await databasesLike(`${PREFIX}-busy`), [`${PREFIX}-busy`, kept]);
});

test('a parallel restore (jobs=2) spools to disk, restores faithfully and leaves no spool file', async () => {
  const spool = mkdtempSync(join(tmpdir(), 'pg-rst-spool-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = spool;
  try {
    const dest = restoreDestination(source, manifest, stamp());
    const outcome = await postgresEngine.restore(dest, manifest, files.read, { replace: false, jobs: 2 });
    assert.match(outcome.notes.join('\n'), /pg_restore -j 2 from a spool file/);
    assert.deepEqual(readdirSync(spool), []);
    assert.deepEqual(await fingerprint(dest.target), expected);
    assert.deepEqual(failures(await postgresEngine.prove(dest, manifest, outcome, files.read)), []);

    // An archive larger than the free space is refused before anything is written, and no database is left.
    const huge = { ...manifest, artifacts: manifest.artifacts.map((a) => ({ ...a, sizeBytes: 1e15 })) };
    const short = restoreDestination(source, manifest, stamp());
    await assert.rejects(postgresEngine.restore(short, huge, files.read, { replace: false, jobs: 2 }),
      /jobs=2 spools the archive \(.* MiB\) to .*, which has only .* MiB free: .*restore with jobs=1/);
    assert.deepEqual(readdirSync(spool), []);
    assert.deepEqual(await databasesLike(short.target.database), []);
  } finally {
    if (previous === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = previous;
    rmSync(spool, { recursive: true, force: true });
  }
});

test('a restore that fails drops the database it created, a dead attempt\'s database is redone, and version problems are explained first', async () => {
  const whole = await files.storedBytes(manifest.artifacts[0]!);
  const cut = await files.storeRaw('truncated.dump', whole.subarray(0, Math.floor(whole.length / 2)), false);
  const broken = { ...manifest, artifacts: [{ ...cut, sidecarKey: '' }] };
  const dest = restoreDestination(source, manifest, stamp());
  await assert.rejects(postgresEngine.restore(dest, broken, files.read, { replace: false }), /pg_restore into .* failed/);
  assert.deepEqual(await databasesLike(dest.target.database), [], 'no half-restored database left');

  // A database this restore created in an attempt that died is its own to start again, though not empty.
  await query(adminTarget(), `CREATE DATABASE "${dest.target.database}" TEMPLATE template0`);
  await query(adminTarget(), `COMMENT ON DATABASE "${dest.target.database}" IS 'cairn: restore in progress'`);
  await query(dest.target, 'CREATE TABLE half_done (a int)');
  // The restore activity asks inspect() first: a dead attempt's database (its orphaned pg_restore may even have
  // committed since) is not someone's data to protect, or the retry would refuse it as "not empty".
  const inspected = await postgresEngine.inspect(dest);
  assert.deepEqual(inspected, { empty: true, detail: `${dest.label} was left by an unfinished restore (marked 'cairn: restore in progress'); the restore starts it again` });
  await postgresEngine.restore(dest, manifest, files.read, { replace: false });
  assert.deepEqual(await fingerprint(dest.target), expected);
  assert.deepEqual(await query(adminTarget(), `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [dest.target.database]), [{ c: null }]);
  await postgresEngine.drop(dest);

  // An archive of a newer format than this pg_restore reads (as pg_dump 17 writes: 1.16), without the manifest saying so.
  const newer = Buffer.from(whole);
  newer[6] = 16;
  const unreadable = { ...manifest, consistency: {}, artifacts: [{ ...await files.storeRaw('newer.dump', newer, false), sidecarKey: '' }] };
  await assert.rejects(postgresEngine.restore(dest, unreadable, files.read, { replace: false }),
    (err: Error) => err.name === 'PermanentError' && /older than the pg_dump that wrote this archive .*unsupported version \(1\.16\)/.test(err.message));
  assert.deepEqual(await databasesLike(dest.target.database), []);

  const future = { ...manifest, consistency: { ...manifest.consistency, dumpedWith: 'pg_dump (PostgreSQL) 99.1' } };
  await assert.rejects(postgresEngine.restore(dest, future, files.read, { replace: false }),
    (err: Error) => err.name === 'PermanentError' && /cannot read this archive, written by pg_dump \(PostgreSQL\) 99\.1: install pg_restore 99 or newer/.test(err.message));
  assert.deepEqual(await databasesLike(dest.target.database), []);
});

test('destinations: default names fit 63 bytes, bad `into` is refused, and a drill never lands on a production database', () => {
  const long = { ...source, database: 'é'.repeat(40) };
  const named = postgresEngine.destination({ source: long, manifest, stamp: '20261121_101500', purpose: 'drill', targets: [long] });
  assert.ok(Buffer.byteLength(named.target.database) <= 63, named.target.database);
  assert.match(named.target.database, /^é{16}_[0-9a-f]{8}_drill_20261121_101500$/, 'cut at a whole character');
  assert.equal(named.target.database, postgresEngine.destination({ source: long, manifest, stamp: '20261121_101500', purpose: 'drill', targets: [] }).target.database, 'deterministic');

  const req = { source, manifest, stamp: '20261121_101500', purpose: 'restore' as const, targets: [source] };
  assert.throws(() => postgresEngine.destination({ ...req, into: '' }), /into is empty/);
  assert.throws(() => postgresEngine.destination({ ...req, into: 'x'.repeat(64) }), /into 'x+' is 64 bytes long; PostgreSQL database names hold at most 63/);
  assert.equal(postgresEngine.destination({ ...req, into: 'Odd "name" = yes' }).target.database, 'Odd "name" = yes');

  const production: PostgresTarget = { ...source, name: 'billing', host: 'localhost', database: 'billing' };
  assert.throws(() => postgresEngine.destination({ ...req, purpose: 'drill', into: 'billing', targets: [source, production] }),
    (err: Error) => err.name === 'PermanentError' && /drill may not restore into .*\/billing: that is the database of configured target 'billing'/.test(err.message));
  const elsewhere = { ...source, drill: { host: '10.9.9.9', port: 5433, user: 'drill', password: 'drill-secret' } };
  const drill = postgresEngine.destination({ ...req, source: elsewhere, purpose: 'drill', into: 'billing', targets: [source, production] });
  assert.equal(drill.label, 'postgres 10.9.9.9:5433/billing');
  assert.doesNotMatch(JSON.stringify({ label: drill.label, key: drill.key }), /drill-secret/);
});

test('query() returns a single value as the server prints it, and rejects anything but one row and one column', async () => {
  const dest = restoreDestination(source, manifest, stamp(), PREFIX);
  assert.equal(await postgresEngine.query(dest, { query: 'SELECT count(*) FROM public.everything' }), '501');
  assert.equal(await postgresEngine.query(dest, { query: `SELECT timestamptz '2024-01-01 00:00:00+00' = min(updated_at) FROM public.customers` }), 't');
  assert.equal(await postgresEngine.query(dest, { query: 'SELECT NULL' }), 'NULL');
  await assert.rejects(postgresEngine.query(dest, { query: 'SELECT * FROM generate_series(1, 3)' }), /exactly one row with one column; it returned 3 row\(s\) with 1 column\(s\)/);
  await assert.rejects(postgresEngine.query(dest, { query: 'SELECT 1, 2' }), /returned 1 row\(s\) with 2 column\(s\)/);
  await assert.rejects(postgresEngine.query(dest, { query: 'DELETE FROM public.tricky RETURNING 1' }), /drill check query failed.*read-only transaction/);
  assert.equal(await postgresEngine.query(dest, { query: 'SELECT count(*) FROM public.tricky' }), '20', 'a check never changes data');
  await assert.rejects(postgresEngine.query(dest, { collection: 'x' }), /takes `query` \(SQL\), not `collection`/);
});

test('without fingerprints (fingerprint: false), prove() compares counts only and says so', async () => {
  const { files: plain, manifest: counted } = await backUp({ ...source, fingerprint: false }, 'pg-rst-plain');
  try {
    assert.equal(counted.proof, undefined);
    assert.equal(counted.counts.tables!['public.everything'], 501);
    const dest: Destination<PostgresTarget> = restoreDestination(source, counted, stamp());
    const outcome = await postgresEngine.restore(dest, counted, plain.read, { replace: false });
    const report = await postgresEngine.prove(dest, counted, outcome, plain.read);
    assert.deepEqual(failures(report), []);
    assert.ok(report.checks.every((c) => c.check.startsWith('rows ')));
    assert.match(report.notes.join('\n'), /row counts only: fingerprints were turned off/);
    const v1 = await postgresEngine.prove(dest, { ...counted, version: 1 }, outcome, plain.read);
    assert.match(v1.notes.join('\n'), /manifest version 1/);
    await postgresEngine.drop(dest);
  } finally {
    await plain.cleanup();
  }
});

test('fingerprints are on by default and turned off by CAIRN_PG_FINGERPRINT=false or a target\'s fingerprint: false', () => {
  const env = { CAIRN_TARGET_TYPES: 'postgres' };
  assert.equal((loadConfig(env).targets[0] as PostgresTarget).fingerprint, undefined);
  assert.equal((loadConfig({ ...env, CAIRN_PG_FINGERPRINT: 'false' }).targets[0] as PostgresTarget).fingerprint, false);
  assert.throws(() => loadConfig({ ...env, CAIRN_PG_FINGERPRINT: 'maybe' }), /CAIRN_PG_FINGERPRINT must be true or false, got 'maybe'/);
  const dir = mkdtempSync(join(tmpdir(), 'pg-rst-config-'));
  try {
    const file = join(dir, 'cairn.yaml');
    writeFileSync(file, 'targets:\n  - { type: postgres, name: app, user: u, password: p, database: app, fingerprint: false }\n');
    assert.equal((loadConfig({ CAIRN_CONFIG: file }).targets[0] as PostgresTarget).fingerprint, false);
    writeFileSync(file, 'targets:\n  - { type: postgres, name: app, user: u, password: p, database: app, fingerprint: sometimes }\n');
    assert.throws(() => loadConfig({ CAIRN_CONFIG: file }), /targets\[0\]\.fingerprint must be true or false/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pg_restore newer than the server (17+ against older) is refused up front with the reason in one line', () => {
  const m = { ...manifest, consistency: { dumpedWith: 'pg_dump (PostgreSQL) 15.18' } };
  assert.throws(() => checkVersions(m, 'pg_restore (PostgreSQL) 17.2', '15.18'),
    (err: Error) => err.name === 'PermanentError' && /^pg_restore \(PostgreSQL\) 17\.2 emits 'SET transaction_timeout', which PostgreSQL 15\.18 rejects: .*CAIRN_PG_BIN/.test(err.message) && !err.message.includes('\n'));
  assert.doesNotThrow(() => checkVersions(m, 'pg_restore (PostgreSQL) 17.2', '17.0'));
  assert.doesNotThrow(() => checkVersions(m, 'pg_restore (PostgreSQL) 16.4', '15.18'));
});

test('fingerprints come from the dump\'s own snapshot: writes during the backup never make a faithful restore look wrong', async () => {
  const busy: PostgresTarget = { ...source, database: `${PREFIX}-writes` };
  await query(adminTarget(), `CREATE DATABASE "${busy.database}" TEMPLATE template0`);
  await query(busy, `CREATE TABLE hot (id int PRIMARY KEY, v int, pad text);
    INSERT INTO hot SELECT g, 0, repeat(md5(g::text), 8) FROM generate_series(1, 200000) g`);
  const writer = new Client({ ...busy, user: busy.user });
  await writer.connect();
  let writing = true;
  let writes = 0;
  const loop = (async () => {
    for (let id = 1_000_000; writing; id++, writes++) {
      await writer.query('UPDATE hot SET v = v + 1 WHERE id = $1', [1 + (id % 200000)]);
      await writer.query(`INSERT INTO hot VALUES ($1, 0, 'new')`, [id]);
    }
  })();
  let plain: FileArtifacts | undefined;
  try {
    const backup = await backUp(busy, 'pg-rst-writes');
    plain = backup.files;
    writing = false;
    await loop;
    assert.ok(writes > 10, `the source was written to during the backup (${writes} writes)`);
    const dest = restoreDestination(busy, backup.manifest, stamp());
    const outcome = await postgresEngine.restore(dest, backup.manifest, plain.read, { replace: false });
    assert.deepEqual(failures(await postgresEngine.prove(dest, backup.manifest, outcome, plain.read)), []);
    const [{ n }] = await query<{ n: string }>(busy, 'SELECT count(*) AS n FROM hot');
    assert.ok(Number(n) > backup.manifest.counts.tables!['public.hot']!, 'the source moved on after the snapshot');
  } finally {
    writing = false;
    await loop.catch(() => undefined);
    await writer.end();
    await plain?.cleanup();
  }
});
