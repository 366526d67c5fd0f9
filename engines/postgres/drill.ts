/** What a drill does around a restore: look at the destination, smoke-test it, run user checks, tear it down. */
import type { PostgresTarget } from '../../config/types';
import { PermanentError, type CheckQuery, type Destination, type HealthCheck } from '../engine';
import { comment, databaseExists, describeContents, dropDatabase, IN_PROGRESS, quoteIdent, withDatabase, withServer } from './databases';
import { connect } from './session';

export async function inspectPostgres(dest: Destination<PostgresTarget>): Promise<{ empty: boolean; detail: string }> {
  const { exists, marker } = await withServer(dest.target, async (server) => ({
    exists: await databaseExists(server, dest.target.database), marker: await comment(server, dest.target.database),
  }));
  if (!exists) return { empty: true, detail: `${dest.label} does not exist; the restore creates it` };
  // A worker that died mid-restore leaves its database marked (and its pg_restore may even have finished since):
  // the retry's restore drops it and starts again, so it is no one else's data to protect.
  if (marker === IN_PROGRESS) {
    return { empty: true, detail: `${dest.label} was left by an unfinished restore (marked '${IN_PROGRESS}'); the restore starts it again` };
  }
  const c = await withDatabase(dest.target, describeContents);
  if (c.objects === 0) return { empty: true, detail: `${dest.label} exists and is empty` };
  return {
    empty: false,
    detail: `${dest.label} holds ${c.tables} table(s) with about ${c.rows.toLocaleString('en-US')} row(s) (planner estimate)`
      + ` and ${c.objects} object(s) in all${c.example ? `, e.g. ${c.example}` : ''}`,
  };
}

export async function dropPostgres(dest: Destination<PostgresTarget>): Promise<void> {
  if (!dest.created) {
    throw new PermanentError(`refusing to drop ${dest.label}: Cairn did not create it for this restore`);
  }
  await withServer(dest.target, (server) => dropDatabase(server, dest.target.database));
}

export async function smokePostgres(dest: Destination<PostgresTarget>): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  let client;
  try {
    client = await connect(dest.target);
  } catch (err) {
    return [{ check: 'connect', ok: false, detail: (err as Error).message, fix: 'check the destination server is up and the restore finished' }];
  }
  try {
    checks.push({ check: 'connect', ok: true, detail: `connected to ${dest.label}` });
    const one = (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
    checks.push({ check: 'select 1', ok: one === 1, detail: `SELECT 1 returned ${String(one)}` });
    const largest = (await client.query<{ s: string; t: string }>(`
      SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)) AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY pg_total_relation_size(c.oid) DESC, 1, 2 LIMIT 10`)).rows;
    for (const { s, t } of largest) {
      const name = `${s}.${t}`;
      try {
        const rows = (await client.query(`SELECT * FROM ${quoteIdent(s)}.${quoteIdent(t)} LIMIT 1`)).rowCount;
        checks.push({ check: `read ${name}`, ok: true, detail: rows ? 'read a row' : 'readable, no rows' });
      } catch (err) {
        checks.push({ check: `read ${name}`, ok: false, detail: (err as Error).message });
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return checks;
}

/** A user's check query, run read-only (a drill check looks, it never changes the copy); its single value as text. */
export async function queryPostgres(dest: Destination<PostgresTarget>, check: CheckQuery): Promise<string> {
  if (check.collection !== undefined) throw new PermanentError('a postgres drill check takes `query` (SQL), not `collection`');
  if (!check.query?.trim()) throw new PermanentError('a postgres drill check needs `query`: SQL returning one row with one column');
  return withDatabase(dest.target, async (db) => {
    await db.query('BEGIN READ ONLY');
    try {
      // Raw text of every type, as the server prints it: no JavaScript Date or number conversions in between.
      const result: unknown = await db.query({ text: check.query!, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
      if (Array.isArray(result)) throw new PermanentError(`drill check query must be one statement; it holds ${result.length}: ${check.query}`);
      const res = result as { rows: unknown[][]; fields: unknown[] };
      if (res.rows.length !== 1 || res.fields.length !== 1) {
        throw new PermanentError(`drill check query must return exactly one row with one column; it returned ${res.rows.length} row(s) with ${res.fields.length} column(s): ${check.query}`);
      }
      const value = res.rows[0]![0];
      return value === null ? 'NULL' : String(value);
    } catch (err) {
      if (err instanceof PermanentError) throw err;
      // Syntax, a missing table, a write in a read-only check: the check's own fault, which retrying repeats.
      const code = (err as { code?: string }).code;
      // Connection loss (08), shutdown (57) and resource shortage (53) pass; other SQLSTATEs are the query's own.
      if (code && !/^(08|57|53)/.test(code)) throw new PermanentError(`drill check query failed on ${dest.label}: ${(err as Error).message}`);
      throw err;
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
    }
  });
}
