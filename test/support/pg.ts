/** Test databases on the stack's PostgreSQL, and an order-independent fingerprint of their content. */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';

export function adminTarget(): PostgresTarget {
  return {
    type: 'postgres', name: 'admin', host: process.env.POSTGRES_HOST ?? '127.0.0.1', port: Number(process.env.POSTGRES_PORT ?? 5432),
    user: process.env.POSTGRES_USER ?? 'cairn', password: process.env.POSTGRES_PASSWORD ?? 'cairn', database: process.env.POSTGRES_DB ?? 'cairn',
  };
}

export async function query<T extends object = Record<string, unknown>>(target: PostgresTarget, sql: string, args: unknown[] = []): Promise<T[]> {
  const client = new Client({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
  await client.connect();
  try {
    return (await client.query<T>(sql, args)).rows;
  } finally {
    await client.end();
  }
}

/** A new, empty database with a unique name; returns it as a target named after it. */
export async function createDatabase(prefix: string): Promise<PostgresTarget> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await query(adminTarget(), `CREATE DATABASE "${name}" TEMPLATE template0`);
  return { ...adminTarget(), name, database: name };
}

export async function dropDatabase(target: PostgresTarget): Promise<void> {
  await query(adminTarget(), `DROP DATABASE IF EXISTS "${target.database}" WITH (FORCE)`);
}

/**
 * Per table: row count and the sum of the first 64 bits of md5(row::text), under pinned output settings.
 * The row alias `cairn_row_alias__` cannot collide with a column, so the whole row is hashed.
 */
export async function fingerprint(target: PostgresTarget): Promise<Record<string, string>> {
  const client = new Client({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
  await client.connect();
  try {
    await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'`);
    const tables = (await client.query<{ s: string; t: string }>(`
      SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`)).rows;
    const out: Record<string, string> = {};
    for (const { s, t } of tables) {
      const rel = `${client.escapeIdentifier(s)}.${client.escapeIdentifier(t)}`;
      const r = (await client.query<{ n: string; h: string | null }>(
        `SELECT count(*) AS n, sum(('x' || substr(md5(cairn_row_alias__::text), 1, 16))::bit(64)::bigint)::text AS h FROM ${rel} cairn_row_alias__`)).rows[0]!;
      out[`${s}.${t}`] = `${r.n}:${r.h ?? '0'}`;
    }
    const seqs = (await client.query<{ s: string; v: string }>(`SELECT schemaname || '.' || sequencename AS s, coalesce(last_value, 0)::text AS v FROM pg_sequences ORDER BY 1`)).rows;
    for (const { s, v } of seqs) out[`sequence ${s}`] = v;
    return out;
  } finally {
    await client.end();
  }
}
