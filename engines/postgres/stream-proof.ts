/**
 * Proof version 2: the rows are fingerprinted from the dump itself as it streams through the worker (the archive
 * walk with rowSums, row-hash.ts), not scanned a second time on the server. On a restored copy the same walk
 * reads a `pg_dump --data-only` of it, under the session the backup's pg_dump had (encoding, time zone, bytea and
 * money formats), so equal rows print as equal text. Materialized views (refreshed on restore, so absent from the
 * archive's data), sequences and large objects are fingerprinted by SQL as in version 1. PROOF.md has the format.
 */
import type { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { ArchiveWalker } from './archive-walk';
import { conninfoDbname, fingerprintExtras, fingerprintTable, PINNED_SETTINGS, PROOF_FORMAT, type PgProof } from './fingerprint';
import type { RowsFingerprint } from './row-hash';
import { exited, spawnPg } from './tools';

export interface PgStreamProof extends Omit<PgProof, 'version'> {
  version: 2;
  /** "schema.table" -> the rows of its TABLE DATA in the archive, as COPY text */
  tables: Record<string, RowsFingerprint>;
  /** populated materialized views: rows and the version 1 hash, by SQL */
  views: Record<string, { rows: number; hash: string }>;
  /** what pg_dump's row text depended on, beyond the settings pg_dump sets itself */
  session: { encoding: string; settings: Record<string, string> };
}

// pg_dump pins DateStyle, IntervalStyle, extra_float_digits and search_path itself; these it takes from the server.
const INHERITED = ['TimeZone', 'bytea_output', 'lc_monetary', 'xmloption'] as const;

/**
 * The session pg_dump would get on this connection's database and role, before anything is pinned on it.
 * lc_monetary only matters to money columns, and names a locale the server of a copy may not have: it is
 * recorded only when a table has one.
 */
export async function sessionOf(client: Client, encoding: string): Promise<PgStreamProof['session']> {
  const row = (await client.query<Record<string, string>>(
    `SELECT ${INHERITED.map((s, i) => `current_setting('${s}') AS s${i}`).join(', ')},
       EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
               WHERE a.atttypid = 'money'::regtype AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm')) AS money`)).rows[0]!;
  const settings = Object.fromEntries(INHERITED.map((s, i) => [s, row[`s${i}`]!]).filter(([s]) => s !== 'lc_monetary' || row.money));
  return { encoding, settings };
}

/** pg_dump's arguments and environment for that session (PGOPTIONS escapes spaces and backslashes). */
export function dumpSession(session: PgStreamProof['session']): { args: string[]; env: NodeJS.ProcessEnv } {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
  const options = Object.entries(session.settings).map(([k, v]) => `-c ${k}=${escape(v)}`).join(' ');
  return { args: [`--encoding=${session.encoding}`], env: { PGOPTIONS: [process.env.PGOPTIONS, options].filter(Boolean).join(' ') } };
}

/** Beside the dump, on the connection holding its snapshot: materialized views, sequences and large objects. */
export async function fingerprintBeside(client: Client): Promise<Pick<PgStreamProof, 'views' | 'sequences' | 'largeObjects'>> {
  await client.query(PINNED_SETTINGS);
  const listed = (await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'm' AND c.relispopulated AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 1, 2`)).rows;
  const views: PgStreamProof['views'] = {};
  for (const v of listed) {
    const fp = await fingerprintTable(client, v);
    if (fp) views[`${v.schema}.${v.name}`] = fp;
  }
  return { views, ...await fingerprintExtras(client) };
}

// Below this much table data one pg_dump is as fast; above this many tables the exclusion lists get unwieldy.
const SPLIT_MIN_BYTES = 64 * 1024 * 1024;
const SPLIT_MAX_TABLES = 2000;

const patternOf = (schema: string, name: string) => [schema, name].map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

/**
 * The tables in two halves of about equal size (largest first, each to the lighter half), as pg_dump patterns,
 * for two pg_dumps in one snapshot: each reads its rows on its own server backend, where one backend turning
 * every row into text is what limits a single dump. Undefined when one dump will do.
 */
export async function halvesOf(client: Client, minBytes = SPLIT_MIN_BYTES): Promise<[string[], string[]] | undefined> {
  const rows = (await client.query<{ s: string; n: string; b: string }>(
    `SELECT n.nspname AS s, c.relname AS n, pg_table_size(c.oid)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
     ORDER BY pg_table_size(c.oid) DESC`)).rows;
  const total = rows.reduce((n, r) => n + Number(r.b), 0);
  if (rows.length < 2 || rows.length > SPLIT_MAX_TABLES || total < minBytes) return undefined;
  const halves: [string[], string[]] = [[], []];
  const bytes = [0, 0];
  for (const r of rows) {
    const i = bytes[0]! <= bytes[1]! ? 0 : 1;
    halves[i].push(patternOf(r.s, r.n));
    bytes[i] += Number(r.b);
  }
  return halves;
}

/**
 * The rows of a (restored) database, read the way the backup read its source: pg_dump's data, walked. With
 * `halves`, two pg_dumps each leave out the other's tables; a table in neither (an extension's) is read by
 * both, and both must agree on it.
 */
export async function rowsOf(target: PostgresTarget, session: PgStreamProof['session'], snapshot: string, halves?: [string[], string[]]): Promise<Record<string, RowsFingerprint>> {
  const excluded = halves ? [halves[1], halves[0]] : [[]];
  const parts = await Promise.all(excluded.map((skip) => rowsOfOneDump(target, session, snapshot, skip)));
  const rows: Record<string, RowsFingerprint> = {};
  for (const part of parts) {
    for (const [table, fp] of Object.entries(part)) {
      const seen = rows[table];
      if (seen && (seen.rows !== fp.rows || seen.hash !== fp.hash)) throw new Error(`two reads of ${table} in one snapshot disagree`);
      rows[table] = fp;
    }
  }
  return rows;
}

async function rowsOfOneDump(target: PostgresTarget, session: PgStreamProof['session'], snapshot: string, skip: string[]): Promise<Record<string, RowsFingerprint>> {
  const { args, env } = dumpSession(session);
  // Large objects are fingerprinted by SQL (fingerprintBeside): pg_dump need not read them.
  const dump = spawnPg('pg_dump', ['--format=custom', '--compress=0', '--data-only', '--no-blobs', `--snapshot=${snapshot}`, ...args,
    ...skip.map((p) => `--exclude-table-data=${p}`), '--no-password', `--dbname=${conninfoDbname(target.database)}`], target, 'ignore', env);
  const done = exited(dump, `pg_dump --data-only of ${target.database}`);
  done.catch(() => undefined); // awaited below, once the output is read
  const walker = new ArchiveWalker({ rowSums: true });
  try {
    for await (const chunk of dump.stdout) walker.write(chunk as Buffer);
    await done;
  } finally {
    if (dump.exitCode === null && dump.signalCode === null) dump.kill('SIGTERM');
  }
  return walker.end().rows!;
}

export function isStreamProof(proof: { format?: unknown; version?: unknown }): proof is PgStreamProof {
  return proof.format === PROOF_FORMAT && proof.version === 2;
}
