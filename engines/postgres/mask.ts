/**
 * Masking a restored PostgreSQL copy (config/masking.ts): one UPDATE per rule, all in one transaction that also
 * writes a marker (the database's comment) holding the result. A retry after a commit whose reply was lost
 * finds the marker and returns the recorded result instead of hashing the hashes; a failure rolls everything
 * back, so a copy is either wholly masked or not at all. finish() then rewrites the masked tables.
 */
import type { Client } from 'pg';
import type { PostgresTarget, Target } from '../../config/types';
import { describeWith, maskedField, type ColumnRule } from '../../config/masking';
import { PermanentError, type Destination, type MaskContext, type MaskedField, type Masking } from '../engine';
import { productionAt } from './destination';
import { connect, describePgError } from './session';

const MARKER = 'cairn masked copy: ';

export const postgresMasking: Masking<PostgresTarget> = {
  production: (dest: Destination<PostgresTarget>, targets: Target[]) => productionAt(dest.target, targets),
  apply: (dest, rules, ctx) => withClient(dest, ctx, (client) => maskOnce(client, dest, rules as ColumnRule[], ctx)),
  // Old row versions still hold the plaintext until the table is rewritten; a copy handed on must not.
  finish: (dest, rules, ctx) => withClient(dest, ctx, async (client) => {
    for (const table of new Set((rules as ColumnRule[]).map((r) => `${client.escapeIdentifier(r.schema)}.${client.escapeIdentifier(r.table)}`))) {
      await client.query(`VACUUM FULL ${table}`);
    }
  }),
};

async function withClient<R>(dest: Destination<PostgresTarget>, ctx: MaskContext, fn: (client: Client) => Promise<R>): Promise<R> {
  const client = await connect(dest.target);
  // UPDATEs and rewrites of big tables say nothing for minutes: keep the activity's heartbeat going meanwhile.
  const beat = setInterval(() => ctx.heartbeat({ masking: dest.label }), 10_000);
  try {
    return await fn(client);
  } catch (err) {
    throw err instanceof PermanentError ? err : describePgError(err, dest.target);
  } finally {
    clearInterval(beat);
    await client.end();
  }
}

async function maskOnce(client: Client, dest: Destination<PostgresTarget>, rules: ColumnRule[], ctx: MaskContext): Promise<MaskedField[]> {
  await client.query('BEGIN');
  try {
    // An attempt that timed out may still be running: it holds this lock until it commits or rolls back,
    // and the retry then reads its marker.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('cairn-mask'))");
    const done = await recorded(client);
    if (done) {
      await client.query('ROLLBACK');
      ctx.log('masking already done in an earlier attempt', { destination: dest.label });
      return done;
    }
    const results: MaskedField[] = [];
    for (const rule of rules) {
      results.push(await maskColumn(client, rule));
      ctx.heartbeat({ masked: results.length, of: rules.length });
    }
    await client.query(`COMMENT ON DATABASE ${client.escapeIdentifier(dest.target.database)} IS ${client.escapeLiteral(MARKER + JSON.stringify(results))}`);
    await client.query('COMMIT');
    return results;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function recorded(client: Client): Promise<MaskedField[] | undefined> {
  const res = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()");
  const comment = res.rows[0]?.comment;
  return comment?.startsWith(MARKER) ? JSON.parse(comment.slice(MARKER.length)) as MaskedField[] : undefined;
}

async function maskColumn(client: Client, rule: ColumnRule): Promise<MaskedField> {
  const field = maskedField(rule);
  const how = describeWith(rule.with);
  const refuse = (problem: string) => new PermanentError(`masking rule ${rule.at} (${field}, with ${how}): ${problem}; nothing was masked`, 'MaskRuleFailed');
  const col = (await client.query<{ type: string; notnull: boolean; generated: string }>(`
    SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.attgenerated AS generated
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped`,
  [rule.schema, rule.table, rule.column])).rows[0];
  if (!col) {
    const table = await client.query(`SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, [rule.schema, rule.table]);
    throw refuse(table.rowCount ? `table ${rule.schema}.${rule.table} has no column "${rule.column}" in the restored database`
      : `there is no table ${rule.schema}.${rule.table} in the restored database`);
  }
  if (col.generated) throw refuse('it is a generated column, computed from others: mask the columns it is computed from');
  if (rule.with === 'null' && col.notnull) throw refuse('the column is NOT NULL: use hash or { value: ... } for it');
  const c = client.escapeIdentifier(rule.column);
  const value = rule.with === 'hash' ? `CAST(encode(sha256(convert_to(${c}::text, 'UTF8')), 'hex') AS ${col.type})`
    : rule.with === 'null' ? 'NULL' : `CAST($1::text AS ${col.type})`;
  const sql = `UPDATE ${client.escapeIdentifier(rule.schema)}.${client.escapeIdentifier(rule.table)} SET ${c} = ${value} WHERE ${c} IS NOT NULL`;
  try {
    const res = await client.query(sql, typeof rule.with === 'object' ? [rule.with.value] : []);
    return { rule: rule.at, field, with: how, changed: res.rowCount ?? 0 };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // Data (22), integrity (23) and syntax/type (42) errors are the rule's: the same rule fails the same way again.
    if (/^(22|23|42)/.test(code)) throw refuse(`PostgreSQL refused it for column type ${col.type}: ${(err as Error).message}`);
    throw err;
  }
}
