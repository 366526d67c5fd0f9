/**
 * Content fingerprints of a database, taken at backup time (inside the dump's exported snapshot) and again on a
 * restored copy: per table a row count and an order-independent hash of every row, sequences, large objects,
 * and a hash of the schema. Equal fingerprints mean the copy holds what the source held.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { quoteIdent } from './databases';
import { listTables } from './session';
import { exited, spawnPg } from './tools';

export const PROOF_FORMAT = 'cairn-pg-proof';

export interface PgProof {
  format: typeof PROOF_FORMAT;
  version: 1;
  /** "schema.table" -> rows and the sum of the first 64 bits of md5(row::text) over its rows */
  tables: Record<string, { rows: number; hash: string }>;
  /** "schema.sequence" -> its state as pg_dump restores it */
  sequences: Record<string, { lastValue: string; isCalled: boolean }>;
  largeObjects: { count: number; hash: string };
  /** sha256 of pg_dump --schema-only output, less its comments and random \restrict lines */
  schema: { sha256: string; statements: number };
}

/**
 * Row text depends on these settings (time zone, date and interval style, float digits, bytea and money format,
 * and the search path, which decides how regclass and similar values print): both sides pin them, so a copy
 * restored on a server configured differently still hashes the same. No timeout may cut a long scan short.
 */
export const PINNED_SETTINGS = `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';
  SET extra_float_digits = 3; SET bytea_output = 'hex'; SET xmloption = 'content'; SET lc_monetary = 'C';
  SET search_path = pg_catalog; SET statement_timeout = 0`;

const HASH_ROWS = (expr: string) => `coalesce(sum(('x' || substr(md5(${expr}), 1, 16))::bit(64)::bigint), 0)::text`;

/** A row alias that no column of the table is called, so `alias::text` is the whole row and never one column. */
async function rowAlias(client: Client, schema: string, table: string): Promise<string> {
  const columns = new Set((await client.query<{ n: string }>(
    `SELECT a.attname AS n FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace
     WHERE s.nspname = $1 AND c.relname = $2 AND a.attnum > 0`, [schema, table])).rows.map((r) => r.n));
  let alias = 'cairn_row';
  while (columns.has(alias)) alias += '_';
  return alias;
}

/** Fingerprints of every table, sequence and large object, in the caller's transaction (and so its snapshot). */
export async function fingerprintData(client: Client, onTable?: (name: string) => void): Promise<Omit<PgProof, 'schema'>> {
  return fingerprintDataOn([client], onTable);
}

/**
 * The same, with the tables shared out over several connections, largest first: every client must already be
 * in a REPEATABLE READ transaction on ONE snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT), so the
 * result is that of a single scan. The first client also takes the sequences and large objects.
 */
export async function fingerprintDataOn(clients: Client[], onTable?: (name: string) => void): Promise<Omit<PgProof, 'schema'>> {
  const client = clients[0]!;
  for (const c of clients) await c.query(PINNED_SETTINGS);
  const tables: PgProof['tables'] = {};
  const listed = await listTables(client);
  const queue = await largestFirst(client, listed);
  await Promise.all(clients.map(async (c) => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const fp = await fingerprintTable(c, t);
      if (fp) tables[`${t.schema}.${t.name}`] = fp;
      onTable?.(`${t.schema}.${t.name}`);
    }
  }));
  // Keyed in listing order whatever order the scans finished in.
  const ordered = Object.fromEntries(listed.map((t) => `${t.schema}.${t.name}`).filter((k) => tables[k]).map((k) => [k, tables[k]!]));
  return { format: PROOF_FORMAT, version: 1, tables: ordered, ...await fingerprintExtras(client) };
}

/** Sequences and large objects, in the caller's transaction, under PINNED_SETTINGS. */
export async function fingerprintExtras(client: Client): Promise<Pick<PgProof, 'sequences' | 'largeObjects'>> {
  const sequences: PgProof['sequences'] = {};
  const seqs = (await client.query<{ s: string; n: string }>(
    `SELECT n.nspname AS s, c.relname AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2`)).rows;
  for (const { s, n } of seqs) {
    const r = (await client.query<{ v: string; c: boolean }>(`SELECT last_value::text AS v, is_called AS c FROM ${quoteIdent(s)}.${quoteIdent(n)}`)).rows[0]!;
    sequences[`${s}.${n}`] = { lastValue: r.v, isCalled: r.c };
  }
  // One large object at a time: lo_get holds one object in server memory, never all of them.
  const lo = (await client.query<{ n: string; h: string }>(
    `SELECT count(*) AS n, ${HASH_ROWS(`oid::text || ':' || md5(lo_get(oid))`)} AS h FROM pg_largeobject_metadata`)).rows[0]!;
  return { sequences, largeObjects: { count: Number(lo.n), hash: lo.h } };
}

async function largestFirst(client: Client, listed: { schema: string; name: string }[]): Promise<{ schema: string; name: string }[]> {
  const sizes = new Map((await client.query<{ s: string; n: string; b: string }>(
    `SELECT n.nspname AS s, c.relname AS n, pg_total_relation_size(c.oid)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm')`,
  )).rows.map((r) => [`${r.s}.${r.n}`, Number(r.b)]));
  return [...listed].sort((a, b) => (sizes.get(`${b.schema}.${b.name}`) ?? 0) - (sizes.get(`${a.schema}.${a.name}`) ?? 0));
}

export async function fingerprintTable(client: Client, t: { schema: string; name: string }): Promise<{ rows: number; hash: string } | undefined> {
  const alias = quoteIdent(await rowAlias(client, t.schema, t.name));
  try {
    const r = (await client.query<{ n: string; h: string }>(
      `SELECT count(*) AS n, ${HASH_ROWS(`${alias}::text`)} AS h FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)} ${alias}`)).rows[0]!;
    return { rows: Number(r.n), hash: r.h };
  } catch (err) {
    // A materialized view never refreshed cannot be scanned; pg_dump dumps it without data, and so it restores.
    if ((err as { code?: string }).code === '55000') return undefined;
    throw err;
  }
}

/**
 * The schema as pg_dump writes it, hashed as it streams. Comment lines go (they name owners and the versions
 * of server and pg_dump, which a faithful copy on another server may not share), and so do pg_dump's
 * \restrict/\unrestrict lines, whose key is random on every run.
 */
export async function fingerprintSchema(target: PostgresTarget, snapshot?: string): Promise<PgProof['schema']> {
  const args = ['--schema-only', '--no-owner', '--no-acl', '--no-password', ...(snapshot ? [`--snapshot=${snapshot}`] : []), `--dbname=${conninfoDbname(target.database)}`];
  const dump = spawnPg('pg_dump', args, target, 'ignore');
  const done = exited(dump, `pg_dump --schema-only of ${target.database}`);
  done.catch(() => undefined); // awaited below, once the output is read
  const hash = createHash('sha256');
  let statements = 0;
  for await (const line of createInterface({ input: dump.stdout, crlfDelay: Infinity })) {
    if (line === '' || line.startsWith('--') || /^\\(un)?restrict /.test(line)) continue;
    if (line.endsWith(';')) statements++;
    hash.update(line).update('\n');
  }
  await done;
  return { sha256: hash.digest('hex'), statements };
}

/** A database name as libpq's dbname argument: quoted, so a name with '=' or a URI prefix is not read as a connection string. */
export function conninfoDbname(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
