/**
 * Running pg_restore into one database from an ArchiveSource (archive-source.ts): a verified local file (with
 * --jobs, or a single job when TMPDIR had room), or a verified read of the store streamed into its stdin in one
 * transaction. A compressed archive reaches pg_restore through a `zstd -dc`/`gzip -dc` child, never the worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PostgresTarget } from '../../config/types';
import { storedEncoding, type ReadContext } from '../engine';
import { asStored, type ArchiveSource } from './archive-source';
import { decompressor, feedVerified, stopChild, type Decompressor } from './decompress';
import { conninfoDbname } from './fingerprint';
import { exited, libpqEnv, pgBinary, type PgProcess } from './tools';

export interface PgRestoreRun {
  target: PostgresTarget;
  source: ArchiveSource;
  jobs: number;
  keepOwnership: boolean;
  ctx: ReadContext;
}

function pgRestore(args: string[], target: PostgresTarget, stdin: 'pipe' | 'ignore' | Exclude<ChildProcess['stdout'], null>): PgProcess {
  return spawn(pgBinary('pg_restore'), args, { env: libpqEnv(target), stdio: [stdin, 'pipe', 'pipe'] }) as PgProcess;
}

export async function runPgRestore(run: PgRestoreRun): Promise<void> {
  const args = [
    '--exit-on-error', '--no-password', ...(run.keepOwnership ? [] : ['--no-owner', '--no-acl']),
    `--dbname=${conninfoDbname(run.target.database)}`,
    ...(run.jobs > 1 ? [`--jobs=${run.jobs}`] : ['--single-transaction']),
  ];
  const { source } = run;
  const encoding = source.kind === 'file' ? source.encoding : storedEncoding(source.artifact);
  // The decompressor writes straight into pg_restore's stdin: its stdout is handed over, our copy closed.
  const unzip: Decompressor | undefined = encoding ? decompressor(encoding, source.kind === 'file' ? source.file : 'pipe', 'pipe') : undefined;
  const restore = pgRestore(source.kind === 'file' && !unzip ? [...args, source.file] : args, run.target, unzip ? unzip.child.stdout! : source.kind === 'file' ? 'ignore' : 'pipe');
  unzip?.child.stdout!.destroy();
  const done = exited(restore, `pg_restore${run.jobs > 1 ? ` -j ${run.jobs}` : ''} into ${run.target.database}`);
  done.catch(() => undefined); // settled below; it may fail while the read is still being opened
  restore.stdout.resume();
  // pg_restore goes first, so it can never read a clean end of input that its feeder did not mean.
  const stop = async () => { await stopChild(restore); if (unzip) await stopChild(unzip.child); };
  const abort = () => { void stop(); };
  run.ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    const feeding = source.kind === 'stream'
      ? feedVerified(await run.ctx.open(asStored(source.artifact)), unzip ? unzip.child.stdin! : restore.stdin!, stop)
      : Promise.resolve();
    const [fed, unzipped, restored] = await Promise.allSettled([feeding, unzip?.done, done]);
    // The most telling failure: the read's (size, SHA-256), the decompressor's unless pg_restore stopping
    // first broke its pipe, then pg_restore's own.
    const brokePipe = unzipped.status === 'rejected' && /SIGPIPE|Broken pipe/i.test((unzipped.reason as Error).message) && restored.status === 'rejected';
    for (const r of brokePipe ? [fed, restored] : [fed, unzipped, restored]) if (r.status === 'rejected') throw r.reason;
  } catch (err) {
    await stop();
    throw err;
  } finally {
    run.ctx.signal.removeEventListener('abort', abort);
  }
}
