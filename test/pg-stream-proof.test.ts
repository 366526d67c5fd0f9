/**
 * Proof version 2 (rows fingerprinted from the dump as it streams, stream-proof.ts): the row hash does not depend
 * on how the bytes were split or in what order rows came, and it notices any changed byte; on the real server a
 * rich database backed up with the default compression (zstd) records it, a restore is proven against it even
 * on a server session configured differently, and a changed row, view, sequence or large object is named.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { PostgresTarget } from '../config/types';
import { postgresEngine } from '../engines/postgres';
import { RowSum } from '../engines/postgres/row-hash';
import { halvesOf, rowsOf, type PgStreamProof } from '../engines/postgres/stream-proof';
import { connect } from '../engines/postgres/session';
import type { Manifest } from '../storage/format/manifest';
import { FileArtifacts } from './support/file-artifacts';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { adminTarget, fingerprint, query } from './support/pg';
import { backUp, databasesLike, restoreDestination } from './support/pg-restore';

function sumOf(lines: string[], splits: number[] = []): { rows: number; hash: string } {
  const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const sum = new RowSum();
  let at = 0;
  for (const cut of [...splits.filter((s) => s < bytes.length).sort((a, b) => a - b), bytes.length]) {
    sum.update(bytes.subarray(at, cut));
    at = cut;
  }
  return sum.result();
}

test('the row hash: the same for any split and any row order, different for any changed byte', () => {
  const lines = Array.from({ length: 300 }, (_, i) => `${i}\t${randomBytes(i % 37).toString('base64')}\t\\N`);
  const whole = sumOf(lines);
  assert.equal(whole.rows, 300);
  for (let trial = 0; trial < 20; trial++) {
    const cuts = Array.from({ length: 1 + trial * 3 }, () => Math.floor(Math.random() * 20_000));
    assert.deepEqual(sumOf(lines, cuts), whole, 'split anywhere, even one byte at a time in places');
  }
  assert.deepEqual(sumOf([...lines].reverse(), [1, 2, 3, 500]), whole, 'order does not matter');
  assert.deepEqual(sumOf(lines, Array.from({ length: 4000 }, (_, i) => i)), whole, 'byte by byte');
  // Every byte position of a line (whole 8-byte groups and each of a 7-byte tail) matters.
  const line = 'abcdefghijklmno';
  for (let i = 0; i < line.length; i++) {
    const changed = line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ 1) + line.slice(i + 1);
    assert.notEqual(sumOf([changed]).hash, sumOf([line]).hash, `byte ${i} changes the hash`);
  }
  assert.notEqual(sumOf(['a', 'a']).hash, sumOf(['a']).hash, 'a duplicated row counts twice');
  assert.notEqual(sumOf(['ab', '']).hash, sumOf(['a', 'b']).hash, 'rows are not just concatenated');
  assert.deepEqual(sumOf([]), { rows: 0, hash: '0000000000000000' });
  assert.deepEqual(sumOf([...lines, '\\.', '', ''], [7, 19_000]), whole, 'pg_dump\'s end-of-data line and the blank lines after it are not rows');
  assert.equal(sumOf(['\\\\.', 'x']).rows, 2, 'a value that is an escaped backslash and a dot is a row');
});

const PREFIX = `pg-sp-${randomUUID().slice(0, 6)}`;
const source: PostgresTarget = { ...adminTarget(), name: PREFIX, database: PREFIX };
let files: FileArtifacts;
let manifest: Manifest;

before(async () => {
  await query(adminTarget(), `CREATE DATABASE "${PREFIX}" TEMPLATE template0`);
  // The source's sessions print times in Kolkata and bytea in escape format: the proof must carry that over.
  await query(adminTarget(), `ALTER DATABASE "${PREFIX}" SET TimeZone = 'Asia/Kolkata'; ALTER DATABASE "${PREFIX}" SET bytea_output = 'escape'`);
  await query(source, RICH_SCHEMA_SQL);
  ({ files, manifest } = await backUp(source, 'pg-sp'));
});

after(async () => {
  for (const db of await databasesLike(PREFIX)) await query(adminTarget(), `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await files?.cleanup();
});

test('a zstd backup records proof version 2: rows read from the dump, counts from the server, the session it was read in', () => {
  const proof = manifest.proof as { version: number; tables: Record<string, { rows: number; hash: string }>; views: Record<string, { rows: number }>; session: { encoding: string; settings: Record<string, string> } };
  assert.equal(proof.version, 2);
  assert.equal(proof.tables['public.everything']!.rows, 501);
  assert.equal(proof.tables['sales.orders_2024']!.rows + proof.tables['sales.orders_2025']!.rows, 2000, 'partitions carry the rows');
  assert.equal(proof.tables['public.empty_table']!.rows, 0);
  assert.match(proof.tables['public.tricky']!.hash, /^[0-9a-f]{16}$/);
  assert.equal(proof.views['sales.totals']!.rows, 400, 'the materialized view is fingerprinted by SQL');
  assert.equal(manifest.counts.tables!['public.customers'], 50);
  // No money column: lc_monetary (a locale the copy's server may lack) is not pinned.
  assert.deepEqual(proof.session, { encoding: 'UTF8', settings: { TimeZone: 'Asia/Kolkata', bytea_output: 'escape', xmloption: 'content' } });
  assert.match(manifest.artifacts[0]!.key, /\.dump\.zst$/);
});

test('a restore proves equal on a server whose sessions print differently, and each kind of change is named', async () => {
  const dest = restoreDestination(source, manifest, '20261121_220000');
  const outcome = await postgresEngine.restore(dest, manifest, files.read, { replace: false });
  assert.deepEqual(await fingerprint(dest.target), await fingerprint(source));
  // Another time zone and bytea format on the copy: its text differs, its rows do not.
  await query(adminTarget(), `ALTER DATABASE "${dest.target.database}" SET TimeZone = 'America/New_York'; ALTER DATABASE "${dest.target.database}" SET bytea_output = 'hex'`);
  const report = await postgresEngine.prove(dest, manifest, outcome, files.read);
  assert.deepEqual(report.checks.filter((c) => !c.ok), []);
  const names = report.checks.map((c) => c.check);
  for (const c of ['table public.everything', 'table Mixed Case.Table With Spaces', 'table sales.scratch', 'materialized view sales.totals', 'sequence public.invoice_no', 'large objects', 'schema']) {
    assert.ok(names.includes(c), `prove() checks ${c}`);
  }

  await query(dest.target, `UPDATE public.everything SET tstz = tstz + interval '1 microsecond' WHERE id = 250`);
  await query(dest.target, `INSERT INTO public.tricky SELECT * FROM public.tricky WHERE cairn_row = 3`);
  await query(dest.target, `REFRESH MATERIALIZED VIEW sales.totals`); // unchanged rows: still equal
  await query(dest.target, `UPDATE sales.orders SET amount = amount + 1 WHERE id = 1; REFRESH MATERIALIZED VIEW sales.totals`);
  await query(dest.target, `SELECT lo_put(body, 0, 'X') FROM public.documents WHERE id = 2`);
  const tampered = await postgresEngine.prove(dest, manifest, outcome, files.read);
  assert.deepEqual(tampered.checks.filter((c) => !c.ok).map((c) => c.check).sort(),
    ['large objects', 'materialized view sales.totals', 'table public.everything', 'table public.tricky', 'table sales.orders_2024'].sort());
  const tricky = tampered.checks.find((c) => c.check === 'table public.tricky')!;
  assert.match(tricky.expected!, /^20 row\(s\), hash [0-9a-f]{16}$/);
  assert.match(tricky.found!, /^21 row\(s\)/);
  await postgresEngine.drop(dest);
});

test('a proof read by two pg_dumps over halves of the tables (one snapshot) finds what one pg_dump finds', async () => {
  const { session } = manifest.proof as unknown as PgStreamProof;
  const db = await connect(source);
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await db.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    assert.equal(await halvesOf(db), undefined, 'a small database is read by one pg_dump');
    const halves = (await halvesOf(db, 0))!;
    assert.ok(halves[0].length > 0 && halves[1].length > 0, 'both halves have tables');
    assert.ok(halves.flat().includes('"Mixed Case"."Table With Spaces"'), 'names are quoted as pg_dump patterns');
    const one = await rowsOf(source, session, snapshot);
    assert.deepEqual(await rowsOf(source, session, snapshot, halves), one);
    assert.deepEqual(one, (manifest.proof as unknown as PgStreamProof).tables, 'and both what the backup recorded');
  } finally {
    await db.end();
  }
});
