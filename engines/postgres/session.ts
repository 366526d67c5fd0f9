/** Connections to a PostgreSQL target, with errors retrying cannot fix marked as such. */
import { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { PermanentError } from '../engine';

// invalid password, invalid authorization, database missing, insufficient privilege
const PERMANENT_SQLSTATES = new Set(['28P01', '28000', '3D000', '42501']);

export async function connect(target: PostgresTarget): Promise<Client> {
  const client = new Client({
    host: target.host, port: target.port, user: target.user, password: target.password, database: target.database,
    connectionTimeoutMillis: 10_000, application_name: 'cairn',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw describePgError(err, target);
  }
  return client;
}

export function describePgError(err: unknown, target: PostgresTarget): Error {
  const code = (err as { code?: string }).code;
  const where = `PostgreSQL ${target.name} (${target.host}:${target.port}/${target.database})`;
  if (code && PERMANENT_SQLSTATES.has(code)) return new PermanentError(`${where}: ${(err as Error).message}`);
  return new Error(`${where}: ${(err as Error).message || String(err)}`);
}

/** Tables whose rows pg_dump dumps: ordinary, unlogged and partition tables, and materialized views (by REFRESH). */
export async function listTables(client: Client): Promise<{ schema: string; name: string }[]> {
  const res = await client.query<{ schema: string; name: string }>(`
    SELECT n.nspname AS schema, c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ORDER BY 1, 2`);
  return res.rows;
}

/** Exact row counts per table, keyed "schema.table", in the caller's transaction (so they match its snapshot). */
export async function countRows(client: Client, onTable?: (name: string) => void): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of await listTables(client)) {
    const name = `${t.schema}.${t.name}`;
    const sql = `SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
    try {
      counts[name] = Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
    } catch (err) {
      // A materialized view that was never refreshed cannot be scanned; pg_dump dumps it without data too.
      if ((err as { code?: string }).code === '55000') continue;
      throw err;
    }
    onTable?.(name);
  }
  return counts;
}
