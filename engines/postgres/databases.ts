/** Whole-database operations on a server (create, drop, rename, inspect), run from a maintenance connection. */
import type { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { PermanentError } from '../engine';
import { connect } from './session';

/** Identifiers are always quoted: a destination name may hold any character, upper case and spaces included. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A connection to the server's maintenance database: one cannot create, drop or rename the database one is in. */
export async function connectServer(target: PostgresTarget): Promise<Client> {
  try {
    return await connect({ ...target, database: 'postgres' });
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
    return connect({ ...target, database: 'template1' });
  }
}

export async function withServer<T>(target: PostgresTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectServer(target);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function withDatabase<T>(target: PostgresTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(target);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function databaseExists(server: Client, name: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
}

/** What a database holds, from the catalogs (row totals are the planner's estimates, cheap on any size). */
export async function describeContents(db: Client): Promise<{ objects: number; tables: number; rows: number; example?: string }> {
  const r = (await db.query<{ objects: string; tables: string; rows: string; example: string | null }>(`
    WITH user_ns AS (
      SELECT oid, nspname FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'
    ), rels AS (
      SELECT c.relname, c.relkind, c.reltuples, n.nspname FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
      WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    )
    SELECT (SELECT count(*) FROM rels)
         + (SELECT count(*) FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
            WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))
         + (SELECT count(*) FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
            WHERE t.typrelid = 0 AND t.typcategory <> 'A'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e'))
         + (SELECT count(*) FROM user_ns WHERE nspname <> 'public')
         + (SELECT count(*) FROM pg_largeobject_metadata) AS objects,
           (SELECT count(*) FROM rels WHERE relkind IN ('r', 'p', 'm')) AS tables,
           (SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint FROM rels WHERE relkind IN ('r', 'm')) AS rows,
           (SELECT nspname || '.' || relname FROM rels WHERE relkind IN ('r', 'p', 'm') ORDER BY 1 LIMIT 1) AS example`)).rows[0]!;
  return { objects: Number(r.objects), tables: Number(r.tables), rows: Number(r.rows), ...(r.example ? { example: r.example } : {}) };
}

export async function createDatabase(server: Client, name: string, like: { encoding?: string; collate?: string; ctype?: string }): Promise<void> {
  const options = [
    'TEMPLATE template0',
    ...(like.encoding ? [`ENCODING ${quoteLiteral(like.encoding)}`] : []),
    ...(like.collate ? [`LC_COLLATE ${quoteLiteral(like.collate)}`] : []),
    ...(like.ctype ? [`LC_CTYPE ${quoteLiteral(like.ctype)}`] : []),
  ];
  try {
    await server.query(`CREATE DATABASE ${quoteIdent(name)} ${options.join(' ')}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 22023: the source's encoding or locale does not exist on this server; 42501: no CREATEDB right.
    if (code === '22023' || code === '42501' || code === '42P04') throw new PermanentError(`cannot create database ${name}: ${(err as Error).message}`);
    throw err;
  }
}

export async function dropDatabase(server: Client, name: string): Promise<void> {
  await server.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Renames a database, first ending the sessions in it (PostgreSQL refuses to rename a database in use). */
export async function renameDatabase(server: Client, from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [from]);
    try {
      await server.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
      return;
    } catch (err) {
      // 55006: a client reconnected between the terminate and the rename; try again a few times.
      if ((err as { code?: string }).code !== '55006' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** Marks a database Cairn created until its restore completes, so a retry knows a leftover is its own to drop. */
export const IN_PROGRESS = 'cairn: restore in progress';

/** A database's comment (where IN_PROGRESS is kept). */
export async function comment(server: Client, name: string): Promise<string | null> {
  return (await server.query<{ c: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [name])).rows[0]?.c ?? null;
}
