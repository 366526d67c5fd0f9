/**
 * Restoring an adopted plain-SQL dump (`pg_dump | gzip`, as the Clara and agentic services wrote them) with
 * psql: ON_ERROR_STOP and one transaction, fed from the verified read. psql commits when its input ends, so a
 * read that fails (a changed or truncated archive) kills psql first: it never sees a clean end of wrong bytes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { PermanentError } from '../engine';
import type { PgRestoreRun } from './pg-restore';
import { libpqEnv, pgBinary } from './tools';

export async function runPsqlScript(run: PgRestoreRun): Promise<void> {
  if (run.jobs > 1) throw new PermanentError('a plain-SQL dump is restored by psql in one transaction: --jobs does not apply to it', 'PlainSqlNoJobs');
  const psql = spawn(pgBinary('psql'), ['--no-psqlrc', '--quiet', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '--file=-'], {
    env: libpqEnv(run.target), stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  psql.stderr.on('data', (d: Buffer) => { if (stderr.length < 100_000) stderr += d.toString('utf8'); });
  const closed = new Promise<number | null>((resolve, reject) => {
    psql.on('error', (err) => reject(new PermanentError(`could not run psql (${err.message}): install the PostgreSQL client programs or set CAIRN_PG_BIN`)));
    psql.on('close', (code) => resolve(code));
  });
  // A psql that stopped early (a failing statement) makes writing fail with EPIPE; its exit status says why.
  psql.stdin.on('error', () => undefined);
  const stop = () => psql.kill('SIGKILL');
  run.ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    if (run.source.kind !== 'stream') throw new PermanentError('a plain-SQL dump is streamed into psql, never spooled', 'PlainSqlNoSpool');
    const source: Readable = await run.ctx.open(run.source.artifact);
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (psql.exitCode !== null || psql.stdin.destroyed) break;
        if (!psql.stdin.write(chunk)) await Promise.race([once(psql.stdin, 'drain'), closed]);
      }
    } catch (err) {
      stop(); // before stdin closes: an end of input would commit
      await closed.catch(() => undefined);
      throw err;
    }
    psql.stdin.end();
    const code = await closed;
    if (code !== 0) {
      const detail = stderr.trim().split('\n').slice(-5).join('; ');
      throw new PermanentError(`psql into ${run.target.database} failed (exit ${code}): ${detail || 'no error output'}; nothing was committed`, 'PlainSqlFailed');
    }
  } finally {
    run.ctx.signal.removeEventListener('abort', stop);
  }
}
