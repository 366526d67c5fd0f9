/**
 * Running pg_restore into one database: streamed from storage in a single transaction (no local disk), or,
 * for parallel jobs, from a spool file that is always deleted afterwards (pg_restore -j needs a seekable file).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostgresTarget } from '../../config/types';
import { PermanentError, type ArtifactRecord, type ReadContext } from '../engine';
import { conninfoDbname } from './fingerprint';
import { exited, spawnPg } from './tools';

// Room left over beyond the archive itself, so spooling never fills a disk to its last byte.
const SPOOL_MARGIN_BYTES = 64 * 1024 * 1024;

export interface PgRestoreRun {
  target: PostgresTarget;
  artifact: ArtifactRecord;
  jobs: number;
  keepOwnership: boolean;
  ctx: ReadContext;
  /** bytes read so far from storage, for heartbeats */
  progress: { bytes: number };
}

function counting(progress: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.bytes += chunk.length;
      cb(null, chunk);
    },
  });
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export async function runPgRestore(run: PgRestoreRun): Promise<void> {
  const args = [
    '--exit-on-error', '--no-password', ...(run.keepOwnership ? [] : ['--no-owner', '--no-acl']),
    `--dbname=${conninfoDbname(run.target.database)}`,
  ];
  if (run.jobs > 1) return restoreFromSpool(run, args);
  const restore = spawnPg('pg_restore', [...args, '--single-transaction'], run.target, 'pipe');
  const done = exited(restore, `pg_restore into ${run.target.database}`);
  restore.stdout.resume();
  const stop = () => restore.kill('SIGTERM');
  run.ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all([pipeline(await run.ctx.open(run.artifact), counting(run.progress), restore.stdin!).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') { stop(); throw err; } // pg_restore stopping early is reported by its exit status
    }), done]);
  } finally {
    run.ctx.signal.removeEventListener('abort', stop);
  }
}

async function restoreFromSpool(run: PgRestoreRun, args: string[]): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-pg-restore-'));
  try {
    const disk = await fs.statfs(dir);
    const free = disk.bavail * disk.bsize;
    if (free < run.artifact.sizeBytes + SPOOL_MARGIN_BYTES) {
      throw new PermanentError(`jobs=${run.jobs} spools the archive (${mib(run.artifact.sizeBytes)}) to ${os.tmpdir()}, which has only ${mib(free)} free: `
        + 'free space there, point TMPDIR at a larger disk, or restore with jobs=1 (streams, no disk)');
    }
    const file = path.join(dir, 'archive.dump');
    await pipeline(await run.ctx.open(run.artifact), counting(run.progress), createWriteStream(file), { signal: run.ctx.signal });
    const restore = spawnPg('pg_restore', [...args, `--jobs=${run.jobs}`, file], run.target, 'ignore');
    const stop = () => restore.kill('SIGTERM');
    run.ctx.signal.addEventListener('abort', stop, { once: true });
    restore.stdout.resume();
    try {
      await exited(restore, `pg_restore -j ${run.jobs} into ${run.target.database}`);
    } finally {
      run.ctx.signal.removeEventListener('abort', stop);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
