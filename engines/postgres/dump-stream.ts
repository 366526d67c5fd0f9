/**
 * The bytes from pg_dump to the store. The archive pg_dump writes passes through the worker once, in 64 KiB
 * chunks: the archive walk reads it there (its structure, and with fingerprints its rows), and it goes on to
 * `zstd` (a child process, so compression runs on another core) or straight to the upload.
 *
 * With zstd the walk reads the archive before compression: pg_dump -Z0 is what zstd compresses, and every zstd
 * frame carries a checksum of its content that each restore verifies while decompressing.
 */
import { spawn } from 'node:child_process';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressionName, type Compression } from '../../config/compression';
import { PermanentError, type ArtifactSpec } from '../engine';
import type { ArchiveWalker, WalkResult } from './archive-walk';
import { exited, type PgProcess } from './tools';

export interface DumpPlan {
  pgDumpFlag: string;
  spec: ArtifactSpec;
  zstdArgs?: string[];
}

/**
 * Where the compression happens. gzip and lz4 are pg_dump's own (inside the archive: pg_restore reads it as is);
 * zstd is `pg_dump -Z0 | zstd` (pg_dump 15 has none): the stored object is a .dump.zst, `zstd -dc x.dump.zst | pg_restore`.
 */
export function dumpCompression(c: Compression, pgDumpMajor: number): DumpPlan {
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

/** True when pg_dump writes rows uncompressed, so the walk can fingerprint them. */
export const rowsReadable = (plan: DumpPlan) => plan.pgDumpFlag === '--compress=0';

export interface DumpStream {
  /** what the store gets */
  output: Readable;
  /** settles when pg_dump (and zstd) exited and every byte went through */
  done: Promise<unknown>;
  /** bytes of the archive as pg_dump wrote it (before zstd): what a restore spools decompressed */
  archiveBytes(): number;
  stop(): void;
}

export function dumpStream(dump: PgProcess, plan: DumpPlan, walker: ArchiveWalker | undefined, what: string): DumpStream {
  let archiveBytes = 0;
  const walk = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      archiveBytes += chunk.length;
      try {
        walker?.write(chunk);
        cb(null, chunk);
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const processes: PgProcess[] = [dump];
  const steps: Promise<unknown>[] = [exited(dump, `pg_dump of ${what}`)];
  let output: Readable;
  if (plan.zstdArgs) {
    const zstd = spawn('zstd', plan.zstdArgs, { stdio: ['pipe', 'pipe', 'pipe'] }) as PgProcess;
    processes.push(zstd);
    steps.push(exited(zstd, `zstd of ${what}'s dump`), pipeline(dump.stdout, walk, zstd.stdin!));
    output = zstd.stdout;
  } else {
    output = dump.stdout.pipe(walk);
    dump.stdout.on('error', (err) => walk.destroy(err));
  }
  const stop = () => { for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM'); };
  const done = Promise.all(steps);
  // If pg_dump, zstd or the walk fails, the upload must fail too, not complete with a truncated dump.
  done.catch((err: Error) => { output.destroy(err); stop(); });
  walk.on('error', stop);
  return { output, done, stop, archiveBytes: () => archiveBytes };
}

/** The manifest's words for a walk that passed. */
export function describeWalk(w: WalkResult, plan: DumpPlan): string {
  const where = plan.zstdArgs ? 'as pg_dump wrote it, before zstd (whose frame checksums every restore verifies)' : 'on the upload stream';
  return `pg_dump archive ${w.version} walked ${where}: `
    + `header, ${w.entries} TOC entries, ${w.dataBlocks} data block(s) framed end to end, data for every table with rows`
    + `${w.rows ? `, and exactly the row count the source had in each` : ''}`;
}
