/**
 * pg_dump in custom format, streamed straight into storage. The dump and the row counts come from one
 * exported snapshot, so the counts recorded in the manifest are exactly what the dump holds.
 */
import { execFileSync } from 'node:child_process';
import { Transform } from 'node:stream';
import type { PostgresTarget } from '../../config/types';
import type { BackupContext, EngineBackupResult } from '../engine';
import { PermanentError } from '../engine';
import { connect, countRows, describePgError } from './session';
import { exited, majorOf, pgBinary, spawnPg, type PgProcess } from './tools';

export async function backupPostgres(target: PostgresTarget, ctx: BackupContext): Promise<EngineBackupResult> {
  const client = await connect(target);
  let dump: PgProcess | undefined;
  try {
    const serverVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const dumpVersion = execFileSync(pgBinary('pg_dump'), ['--version'], { encoding: 'utf8' }).trim();
    if (majorOf(dumpVersion.replace(/^\D+/, '')) < majorOf(serverVersion)) {
      throw new PermanentError(`${dumpVersion} cannot dump PostgreSQL ${serverVersion}: install a pg_dump of major version ${majorOf(serverVersion)} or newer`);
    }
    // The transaction stays open until pg_dump is done: that keeps the exported snapshot alive.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const point = (await client.query<{ snapshot: string; txid: string; at: Date; lsn: string | null }>(
      `SELECT pg_export_snapshot() AS snapshot, pg_current_snapshot()::text AS txid, now() AS at,
              CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END AS lsn`)).rows[0]!;
    const tables = await countRows(client, (name) => ctx.heartbeat({ phase: 'counting', table: name }));

    dump = spawnPg('pg_dump', ['--format=custom', `--snapshot=${point.snapshot}`, '--no-password', target.database], target, 'ignore');
    const done = exited(dump, `pg_dump of ${target.name}`);
    const running = dump;
    ctx.signal.addEventListener('abort', () => running.kill('SIGTERM'), { once: true });
    let bytes = 0;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        ctx.heartbeat({ phase: 'dumping', bytes });
        cb(null, chunk);
      },
    });
    dump.stdout.pipe(progress);
    // If pg_dump fails, the upload must fail too, not complete with a truncated dump.
    done.catch((err: Error) => progress.destroy(err));
    const [artifact] = await Promise.all([
      ctx.writeArtifact({ part: '', extension: 'dump', compress: false, contentType: 'application/x-pg-dump' }, progress),
      done,
    ]);
    await client.query('COMMIT');
    return {
      artifacts: [artifact],
      sourceVersion: `PostgreSQL ${serverVersion}`,
      consistency: { method: 'pg_export_snapshot', snapshot: point.snapshot, txidSnapshot: point.txid, at: point.at.toISOString(), walLsn: point.lsn, dumpedWith: dumpVersion },
      counts: { tables },
    };
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw describePgError(err, target);
  } finally {
    // An upload that fails (the store went away) leaves pg_dump blocked writing into a pipe nobody reads,
    // its server session stuck in COPY: that holds back vacuum and stalls every DROP/CREATE DATABASE on the
    // server (they wait for all sessions to absorb a barrier). So it must never outlive the attempt.
    if (dump && dump.exitCode === null && dump.signalCode === null) dump.kill('SIGTERM');
    await client.end().catch(() => undefined);
  }
}
