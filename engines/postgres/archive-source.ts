/**
 * Where pg_restore reads the archive from, and proving it is the backup before any database is touched.
 *
 * With room in TMPDIR, the stored bytes are read ONCE: hashed (size and SHA-256 against the manifest) as they
 * land in a private spool directory, then the structural check (validate.ts) runs on the local file, and
 * pg_restore restores from that verified file. Without room, a single-job restore verifies by a full read of
 * the store first (RestoreOptions.verify) and then streams a second, again verified, read into pg_restore.
 * A zstd (or storage-level gzip) artifact is decompressed by a child process, never in the worker.
 *
 * Without --jobs, a verified restore runs `pg_restore -j` from a decompressed spool when the backup recorded
 * its archive's size and that size takes at most a quarter of TMPDIR's free space: on two cores it restores
 * 1 GB ~10-15% faster (docs/benchmarks.md). A quarter, because the restored database may need the same disk. A
 * parallel restore is not one transaction, so the caller runs it only into a database it created.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PermanentError, storedEncoding, type ArtifactRecord, type Counts, type ReadContext, type StoredEncoding, type VerifiedBackup } from '../engine';
import { decompressInto, decompressor, feedVerified, stopChild } from './decompress';
import { readWhole } from './validate';

// Room left over beyond the archive itself, so spooling never fills a disk to its last byte.
export const SPOOL_MARGIN_BYTES = 64 * 1024 * 1024;

/** a verified local copy; `encoding` when it is still compressed (single-job restores keep it so) */
export interface LocalArchive { kind: 'file'; file: string; encoding?: StoredEncoding }

export type ArchiveSource =
  | LocalArchive
  /** a verified read of the store, started when pg_restore is ready for it */
  | { kind: 'stream'; artifact: ArtifactRecord };

export interface PreparedArchive {
  source: ArchiveSource;
  verified?: VerifiedBackup;
  how: string;
  jobs: number;
  /** jobs chosen by Cairn, not asked for: a single transaction where a parallel restore is not safe */
  chosen: boolean;
}

/** Parallel jobs Cairn chooses: the worker's cores, at least 2 (the server does most of the work), at most 4. */
const CHOSEN_JOBS = Math.min(4, Math.max(2, os.availableParallelism()));
const CHOSEN_SPOOL_SHARE = 4;

/** The archive's size as pg_dump wrote it (before zstd, after decryption), when the backup recorded it. */
function archiveBytes(artifact: ArtifactRecord): number | undefined {
  const n = artifact.meta?.archiveBytes;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The stored bytes as they are in the bucket, decrypted when encrypted, not decompressed. */
export function asStored(artifact: ArtifactRecord): ArtifactRecord {
  const stored: ArtifactRecord = { ...artifact, compressed: false };
  delete stored.encoding;
  return stored;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function freeBytes(dir: string): Promise<number> {
  const disk = await fs.statfs(dir);
  return disk.bavail * disk.bsize;
}

/**
 * Decides how the archive reaches pg_restore and verifies it when `verify` is given (the backup is not verified
 * yet). `dir` is a private directory the caller removes afterwards, success or failure.
 */
export async function prepareArchive(input: {
  artifact: ArtifactRecord; counts: Counts; ctx: ReadContext; jobs: number | undefined; dir: string; verify?: () => Promise<VerifiedBackup>;
}): Promise<PreparedArchive> {
  const { artifact, dir, verify } = input;
  const free = await freeBytes(dir);
  const unpacked = archiveBytes(artifact);
  const chosen = input.jobs === undefined;
  const roomy = unpacked !== undefined && Math.max(unpacked, artifact.sizeBytes) * CHOSEN_SPOOL_SHARE + SPOOL_MARGIN_BYTES <= free;
  const jobs = input.jobs ?? (verify && roomy ? CHOSEN_JOBS : 1);
  // A parallel restore spools the archive decompressed: its recorded size, and never less than the stored one.
  const spoolBytes = jobs > 1 ? Math.max(unpacked ?? 0, artifact.sizeBytes) : artifact.sizeBytes;
  const room = free >= spoolBytes + SPOOL_MARGIN_BYTES;
  if (jobs > 1 && !room) {
    throw new PermanentError(`jobs=${jobs} spools the archive (${mib(spoolBytes)}) to ${os.tmpdir()}, which has only ${mib(free)} free: `
      + 'free space there, point TMPDIR at a larger disk, or restore with jobs=1 (streams, no disk)', 'SpoolSpaceTooSmall');
  }
  if (jobs === 1 && (!room || !verify)) {
    // Streaming: when not verified yet, a full verified read of the store comes first.
    const verified = verify ? await timed(verify) : undefined;
    const why = verify ? `${os.tmpdir()} has ${mib(free)} free, too little to spool ${mib(artifact.sizeBytes)}: verified by a full read of the store, then streamed` : 'streamed';
    return { source: { kind: 'stream', artifact }, ...(verified ? { verified } : {}), how: why, jobs, chosen };
  }
  const began = Date.now();
  const source = await spool(artifact, input.ctx, dir, jobs > 1, verify ? input.counts : undefined);
  if (!verify) return { source, how: `spooled to ${os.tmpdir()} (deleted afterwards)`, jobs, chosen };
  const checks = ['postgres structural check (of the bytes spooled)', `size and sha256 of ${artifact.key}`];
  return {
    source, verified: { checks, bytesRead: artifact.sizeBytes, ms: Date.now() - began }, jobs, chosen,
    how: `verified while spooling to ${os.tmpdir()} (one read of the store; deleted afterwards)`,
  };
}

async function timed(verify: () => Promise<VerifiedBackup>): Promise<VerifiedBackup> {
  const began = Date.now();
  const v = await verify();
  return { ...v, ms: Date.now() - began };
}

/**
 * Copies the stored bytes into `dir` through the verified read: the copy is complete only when every byte
 * matched the manifest. For pg_restore -j (`decompress`), a compressed artifact is decompressed on the way.
 * With `counts`, the structural check (validate.ts) reads the same bytes at the same time, on a second branch.
 */
async function spool(artifact: ArtifactRecord, ctx: ReadContext, dir: string, decompress: boolean, counts?: Counts): Promise<LocalArchive> {
  const encoding = storedEncoding(artifact);
  const keep = encoding && !decompress ? encoding : undefined;
  const file = path.join(dir, keep ? `archive.dump.${keep === 'zstd' ? 'zst' : 'gz'}` : 'archive.dump');
  const stored = await ctx.open(asStored(artifact));
  const [toFile, toCheck] = counts ? branches(stored) : [stored];
  const writing = (encoding && decompress
    ? decompressInto(encoding, toFile!, file, artifact.key, ctx.signal)
    : pipeline(toFile!, createWriteStream(file, { mode: 0o600 }), { signal: ctx.signal })
  ).catch((err: NodeJS.ErrnoException) => {
    stored.destroy(err);
    if (err.code !== 'ENOSPC') throw err;
    throw new Error(`spooling ${artifact.key} to ${os.tmpdir()} filled that disk: free space there, point TMPDIR at a larger disk, or restore with jobs=1`);
  });
  writing.catch(() => undefined); // awaited below, possibly after the check failed: never an unhandled rejection
  if (toCheck) {
    // A check failing first waits for the read's end: bytes that do not match their manifest are the cause to report.
    await structuralCheck(artifact, counts!, encoding, toCheck).catch(async (err: Error) => {
      await writing;
      throw err;
    });
  }
  await writing;
  return { kind: 'file', file, ...(keep ? { encoding: keep } : {}) };
}

/** Two readers of one stream (the slower sets the pace); an error reaches both. */
function branches(source: Readable): [PassThrough, PassThrough] {
  const pair: [PassThrough, PassThrough] = [new PassThrough(), new PassThrough()];
  source.on('error', (err) => { for (const b of pair) b.destroy(err); });
  for (const b of pair) source.pipe(b);
  return pair;
}

/**
 * The same structural check a verification of the store runs (validate.ts), over the bytes being spooled. A
 * compressed archive is decompressed by a child whose output goes straight into pg_restore's stdin.
 */
async function structuralCheck(artifact: ArtifactRecord, counts: Counts, encoding: StoredEncoding | undefined, archive: Readable): Promise<void> {
  let input: Parameters<typeof readWhole>[2] = { stream: archive };
  let unpacked: Promise<void> = Promise.resolve();
  if (encoding) {
    const d = decompressor(encoding, 'pipe', 'pipe');
    feedVerified(archive, d.child.stdin!, () => stopChild(d.child)).catch(() => undefined); // the read's failure is reported by the spool branch
    input = { piped: d.child.stdout! };
    unpacked = d.done;
  }
  const checked = readWhole(artifact.key, counts, input);
  await Promise.all([checked, unpacked.catch(async (err: Error) => {
    await checked; // pg_restore's verdict names the problem better than the decompressor's exit
    throw err;
  })]).catch((err: Error) => {
    if (err instanceof PermanentError) throw err;
    throw new PermanentError(`backup artifact ${artifact.key} failed its structural check: ${err.message}`, 'ValidationFailed');
  });
}
