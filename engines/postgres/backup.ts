/**
 * pg_dump in custom format, streamed straight into storage. The dump, the row counts and the content
 * fingerprints come from one exported snapshot, so what the manifest records is exactly what the dump holds.
 */
import { Transform } from 'node:stream';
import type { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';
import { DEFAULT_PG_COMPRESSION } from '../../config/compression';
import type { BackupContext, EngineBackupResult } from '../engine';
import { PermanentError } from '../engine';
import { ArchiveWalker, NEWEST_WALKED_PG_DUMP } from './archive-walk';
import { describeWalk, dumpCompression, dumpStream, rowsReadable, type DumpStream } from './dump-stream';
import { conninfoDbname, fingerprintData, fingerprintSchema, PROOF_FORMAT, type PgProof } from './fingerprint';
import { connect, countRows, describePgError } from './session';
import { dumpSession, fingerprintBeside, sessionOf, type PgStreamProof } from './stream-proof';
import { majorOf, pgDumpVersion, spawnPg } from './tools';

export async function backupPostgres(target: PostgresTarget, ctx: BackupContext): Promise<EngineBackupResult> {
  const client = await connect(target);
  let stream: DumpStream | undefined;
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
    const dumpMajor = majorOf(dumpVersion);
    const plan = dumpCompression(target.compression ?? DEFAULT_PG_COMPRESSION, dumpMajor);
    const fingerprinting = target.fingerprint !== false;
    // Rows pg_dump writes uncompressed are fingerprinted as they pass (proof version 2); otherwise the server hashes them.
    const onStream = fingerprinting && rowsReadable(plan) && dumpMajor <= NEWEST_WALKED_PG_DUMP;
    // Without fingerprints, count before dumping, as ever; with them, the counts come from scans in the snapshot.
    const counted = fingerprinting ? undefined : await countRows(client, (name) => ctx.heartbeat({ phase: 'counting', table: name }));
    const session = onStream ? await sessionOf(client, point.encoding) : undefined;
    const dumpAs = session ? dumpSession(session) : { args: [], env: {} };

    const dump = spawnPg('pg_dump', ['--format=custom', plan.pgDumpFlag, `--snapshot=${point.snapshot}`, ...dumpAs.args, '--no-password',
      `--dbname=${conninfoDbname(target.database)}`], target, 'ignore', dumpAs.env);
    const walker = onStream || ctx.verifyOnStream ? new ArchiveWalker({ rowSums: onStream }) : undefined;
    stream = dumpStream(dump, plan, walker, target.name);
    ctx.signal.addEventListener('abort', stream.stop, { once: true });
    let bytes = 0;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        ctx.heartbeat({ phase: 'dumping', bytes });
        cb(null, chunk);
      },
    });
    stream.output.on('error', (err) => progress.destroy(err));
    stream.done.catch((err: Error) => progress.destroy(err));
    stream.output.pipe(progress);
    // The holding connection is idle while pg_dump streams: scanning on it then costs little wall time.
    const beside: Promise<{ counts: Record<string, number>; proof?: PgProof | Omit<PgStreamProof, 'format' | 'version' | 'tables' | 'session'> }> = onStream
      ? besideTheDump(client, target, point.snapshot, ctx)
      : fingerprinting ? fingerprint(client, target, point.snapshot, ctx) : Promise.resolve({ counts: counted! });
    beside.catch(stream.stop);
    const [artifact, , taken] = await Promise.all([ctx.writeArtifact(plan.spec, progress), stream.done, beside]);
    await client.query('COMMIT');
    const tables = taken.counts;
    const walk = walker?.end(tables);
    const proof = onStream ? { ...taken.proof, format: PROOF_FORMAT, version: 2 as const, tables: walk!.rows!, session: session! } : taken.proof;
    // An archive version the walk does not know proves nothing: validation then reads the object back.
    const structure = ctx.verifyOnStream && walk?.walked ? describeWalk(walk, plan) : undefined;
    return {
      artifacts: [{
        ...artifact, meta: { ...artifact.meta, archiveBytes: stream.archiveBytes() },
        ...(structure ? { inFlight: { store: artifact.inFlight?.store ?? [], structure } } : {}),
      }],
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
    stream?.stop();
    await client.end().catch(() => undefined);
  }
}

/** Proof version 1: every row hashed by the server; the counts come from the same scans. */
async function fingerprint(client: Client, target: PostgresTarget, snapshot: string, ctx: BackupContext): Promise<{ counts: Record<string, number>; proof: PgProof }> {
  const started = Date.now();
  const [data, schema] = await Promise.all([
    fingerprintData(client, (name) => ctx.heartbeat({ phase: 'fingerprinting', table: name })).catch((err: Error & { code?: string }) => {
      throw permissionHint(err, target);
    }),
    fingerprintSchema(target, snapshot),
  ]);
  ctx.log('fingerprinted', { tables: Object.keys(data.tables).length, ms: Date.now() - started });
  return { counts: Object.fromEntries(Object.entries(data.tables).map(([name, t]) => [name, t.rows])), proof: { ...data, schema } };
}

/**
 * Proof version 2's share of the work on the holding connection: exact row counts (an independent check of the
 * rows the walk reads from the archive), materialized views, sequences, large objects, and the schema.
 */
async function besideTheDump(client: Client, target: PostgresTarget, snapshot: string, ctx: BackupContext) {
  const started = Date.now();
  const scan = async () => ({ counts: await countRows(client, (name) => ctx.heartbeat({ phase: 'counting', table: name })), ...await fingerprintBeside(client) });
  const [{ counts, ...scanned }, schema] = await Promise.all([
    scan().catch((err: Error & { code?: string }) => { throw permissionHint(err, target); }),
    fingerprintSchema(target, snapshot),
  ]);
  ctx.log('counted beside the dump', { tables: Object.keys(counts).length, ms: Date.now() - started });
  return { counts, proof: { ...scanned, schema } };
}

function permissionHint(err: Error & { code?: string }, target: PostgresTarget): Error {
  if (err.code !== '42501') return err;
  return new PermanentError(`PostgreSQL ${target.name}: fingerprinting needs to read every table and large object (${err.message}); `
    + 'grant that, or turn fingerprints off for this target (fingerprint: false, or CAIRN_PG_FINGERPRINT=false)');
}
