/**
 * pg_dump in custom format, streamed straight into storage. The dump, the row counts and the content
 * fingerprints come from one exported snapshot, so what the manifest records is exactly what the dump holds.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Transform } from 'node:stream';
import type { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { compressionName, DEFAULT_PG_COMPRESSION, type Compression } from '../../config/compression';
import type { ArtifactSpec, BackupContext, EngineBackupResult } from '../engine';
import { PermanentError } from '../engine';
import { conninfoDbname, fingerprintData, fingerprintSchema, type PgProof } from './fingerprint';
import { connect, countRows, describePgError } from './session';
import { exited, majorOf, pgBinary, spawnPg, type PgProcess } from './tools';
import { archiveCheck, describeWalk, type StreamCheck } from './stream-check';

/**
 * Where the compression happens. gzip and lz4 are pg_dump's own (inside the archive: pg_restore reads it as is);
 * zstd is `pg_dump -Z0 | zstd` (pg_dump 15 has none), two processes on two cores, the pipe between them never
 * entering the worker: the stored object is a .dump.zst, `zstd -dc x.dump.zst | pg_restore`. (zstd in the
 * worker's own zlib measured ~30 MiB more worker RSS: the raw dump's buffers fragment its malloc arenas.)
 */
export function dumpCompression(c: Compression, pgDumpMajor: number): { pgDumpFlag: string; spec: ArtifactSpec; zstdArgs?: string[] } {
  const spec: ArtifactSpec = { part: '', extension: 'dump', compress: false, contentType: 'application/x-pg-dump', meta: { compression: compressionName(c) } };
  switch (c.method) {
    case 'none': return { pgDumpFlag: '--compress=0', spec };
    case 'gzip': return { pgDumpFlag: `--compress=${c.level ?? 6}`, spec };
    case 'lz4':
      if (pgDumpMajor < 16) throw new PermanentError(`compression lz4 needs pg_dump 16 or newer (this one is ${pgDumpMajor}): choose zstd, gzip or none`);
      return { pgDumpFlag: '--compress=lz4', spec };
    case 'zstd':
      return { pgDumpFlag: '--compress=0', spec: { ...spec, extension: 'dump.zst', encoded: 'zstd' }, zstdArgs: [`-${c.level ?? 3}`, '-q', '-c', '--no-progress'] };
  }
}

export async function backupPostgres(target: PostgresTarget, ctx: BackupContext): Promise<EngineBackupResult> {
  const client = await connect(target);
  let dump: PgProcess | undefined;
  let zstd: PgProcess | undefined;
  let check: StreamCheck | undefined;
  try {
    const serverVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const dumpVersion = pgDumpVersion();
    if (majorOf(dumpVersion.replace(/^\D+/, '')) < majorOf(serverVersion)) {
      throw new PermanentError(`${dumpVersion} cannot dump PostgreSQL ${serverVersion}: install a pg_dump of major version ${majorOf(serverVersion)} or newer`);
    }
    // The transaction stays open until pg_dump is done: that keeps the exported snapshot alive.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const point = (await client.query<{ snapshot: string; txid: string; at: Date; lsn: string | null; encoding: string; collate: string; ctype: string }>(
      `SELECT pg_export_snapshot() AS snapshot, pg_current_snapshot()::text AS txid, now() AS at,
              CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END AS lsn,
              pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype
       FROM pg_database d WHERE d.datname = current_database()`)).rows[0]!;
    const fingerprinting = target.fingerprint !== false;
    // Without fingerprints, count before dumping, as ever; with them, the counts come from the same scans.
    const counted = fingerprinting ? undefined : await countRows(client, (name) => ctx.heartbeat({ phase: 'counting', table: name }));

    const compression = target.compression ?? DEFAULT_PG_COMPRESSION;
    const plan = dumpCompression(compression, majorOf(dumpVersion.replace(/^\D+/, '')));
    dump = spawnPg('pg_dump', ['--format=custom', plan.pgDumpFlag, `--snapshot=${point.snapshot}`, '--no-password', `--dbname=${conninfoDbname(target.database)}`], target, 'ignore');
    const dumped = exited(dump, `pg_dump of ${target.name}`);
    zstd = plan.zstdArgs ? spawnZstd(plan.zstdArgs, dump) : undefined;
    const done = zstd ? Promise.all([dumped, exited(zstd, `zstd of ${target.name}'s dump`)]) : dumped;
    const running = [dump, ...(zstd ? [zstd] : [])];
    const stop = () => { for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM'); };
    ctx.signal.addEventListener('abort', stop, { once: true });
    let bytes = 0;
    const encoded = plan.spec.encoded === 'zstd' ? 'zstd' : undefined;
    check = ctx.verifyOnStream ? archiveCheck(encoded) : undefined;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        ctx.heartbeat({ phase: 'dumping', bytes });
        try {
          const taken = check?.feed(chunk);
          if (taken) taken.then(() => cb(null, chunk), cb); else cb(null, chunk);
        } catch (err) {
          cb(err as Error);
        }
      },
    });
    (zstd ?? dump).stdout.pipe(progress);
    // If pg_dump fails, the upload must fail too, not complete with a truncated dump.
    done.catch((err: Error) => progress.destroy(err));
    // The holding connection is idle while pg_dump streams: fingerprinting on it then costs little wall time.
    const proving = fingerprinting ? fingerprint(client, target, point.snapshot, ctx) : Promise.resolve(undefined);
    proving.catch(stop);
    const [artifact, , proof] = await Promise.all([
      ctx.writeArtifact(plan.spec, progress),
      done,
      proving,
    ]);
    await client.query('COMMIT');
    const tables = proof ? Object.fromEntries(Object.entries(proof.tables).map(([name, t]) => [name, t.rows])) : counted!;
    const walk = await check?.finish(tables);
    // An archive version the walk does not know proves nothing: validation then reads the object back.
    const structure = walk?.walked ? describeWalk(walk, encoded) : undefined;
    return {
      artifacts: [structure ? { ...artifact, inFlight: { store: artifact.inFlight?.store ?? [], structure } } : artifact],
      sourceVersion: `PostgreSQL ${serverVersion}`,
      consistency: {
        method: 'pg_export_snapshot', snapshot: point.snapshot, txidSnapshot: point.txid, at: point.at.toISOString(), walLsn: point.lsn, dumpedWith: dumpVersion,
        encoding: point.encoding, collate: point.collate, ctype: point.ctype,
      },
      counts: { tables },
      ...(proof ? { proof: proof as unknown as Record<string, unknown> } : {}),
    };
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw describePgError(err, target);
  } finally {
    // An upload that fails (the store went away) leaves pg_dump blocked writing into a pipe nobody reads,
    // its server session stuck in COPY: that holds back vacuum and stalls every DROP/CREATE DATABASE on the
    // server (they wait for all sessions to absorb a barrier). So it must never outlive the attempt.
    for (const p of [dump, zstd]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    check?.stop();
    await client.end().catch(() => undefined);
  }
}

/** `pg_dump --version`, asked once per binary: a synchronous spawn blocks every other activity's streams. */
const versions = new Map<string, string>();
function pgDumpVersion(): string {
  const bin = pgBinary('pg_dump');
  let v = versions.get(bin);
  if (v === undefined) versions.set(bin, v = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim());
  return v;
}

/** zstd reading pg_dump's stdout directly (a pipe between the two processes). */
function spawnZstd(args: string[], dump: PgProcess): PgProcess {
  const zstd = spawn('zstd', args, { stdio: [dump.stdout, 'pipe', 'pipe'] }) as PgProcess;
  // zstd holds its own copy of the pipe; ours must close, or pg_dump's 'close' (all its stdio closed) never comes.
  dump.stdout.destroy();
  return zstd;
}

async function fingerprint(client: Client, target: PostgresTarget, snapshot: string, ctx: BackupContext): Promise<PgProof> {
  const started = Date.now();
  const [data, schema] = await Promise.all([
    fingerprintData(client, (name) => ctx.heartbeat({ phase: 'fingerprinting', table: name })).catch((err: Error & { code?: string }) => {
      if (err.code !== '42501') throw err;
      throw new PermanentError(`PostgreSQL ${target.name}: fingerprinting needs to read every table and large object (${err.message}); `
        + 'grant that, or turn fingerprints off for this target (fingerprint: false, or CAIRN_PG_FINGERPRINT=false)');
    }),
    fingerprintSchema(target, snapshot),
  ]);
  ctx.log('fingerprinted', { tables: Object.keys(data.tables).length, ms: Date.now() - started });
  return { ...data, schema };
}
