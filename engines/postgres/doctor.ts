/** `cairn doctor` checks for a PostgreSQL target. */
import { execFileSync } from 'node:child_process';
import type { PostgresTarget } from '../../config/types';
import type { HealthCheck } from '../engine';
import { connect } from './session';
import { majorOf, pgBinary } from './tools';

export async function doctorPostgres(target: PostgresTarget): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  let serverVersion: string;
  try {
    const client = await connect(target);
    try {
      serverVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } finally {
      await client.end();
    }
    checks.push({ check: 'connect', ok: true, detail: `PostgreSQL ${serverVersion} at ${target.host}:${target.port}, database ${target.database}, user ${target.user}` });
  } catch (err) {
    const msg = (err as Error).message;
    const fix = /password|authentication/i.test(msg) ? 'check POSTGRES_USER and POSTGRES_PASSWORD (or the target\'s user/password)'
      : /does not exist/i.test(msg) ? 'create the database or fix POSTGRES_DB / the target\'s database'
      : 'check the server is running and POSTGRES_HOST / POSTGRES_PORT point at it';
    checks.push({ check: 'connect', ok: false, detail: msg, fix });
    return checks;
  }
  for (const tool of ['pg_dump', 'pg_restore'] as const) {
    try {
      const version = execFileSync(pgBinary(tool), ['--version'], { encoding: 'utf8' }).trim();
      const ok = majorOf(version.replace(/^\D+/, '')) >= majorOf(serverVersion);
      checks.push({ check: tool, ok, detail: `${version} (server ${serverVersion})`, ...(ok ? {} : { fix: `install ${tool} of major version ${majorOf(serverVersion)} or newer` }) });
    } catch (err) {
      checks.push({ check: tool, ok: false, detail: `not runnable: ${(err as Error).message.split('\n')[0]}`, fix: `install the PostgreSQL client programs (Debian: postgresql-client-${majorOf(serverVersion)})` });
    }
  }
  return checks;
}
