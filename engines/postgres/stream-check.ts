/**
 * The structural check of a dump on its way to the store (CAIRN_VERIFY=stream): the archive walk
 * (archive-walk.ts) fed the same bytes the upload gets. A zstd-compressed dump is walked through a `zstd -dcq`
 * child fed in parallel: the decompressed archive only passes the walker, a few chunks at a time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ArchiveWalker, type WalkResult } from './archive-walk';

export interface StreamCheck {
  /** resolves once `chunk` is taken (back-pressure from the decompressor) */
  feed(chunk: Buffer): Promise<void> | void;
  /** after the last chunk: the walk's verdict against the source's counts; throws on a broken archive */
  finish(counts: Record<string, number>): Promise<WalkResult>;
  stop(): void;
}

export function archiveCheck(encoded: 'zstd' | undefined): StreamCheck {
  const walker = new ArchiveWalker();
  if (!encoded) {
    return { feed: (chunk) => walker.write(chunk), finish: async (counts) => walker.end(counts), stop: () => undefined };
  }
  const zstd = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
  let failure: Error | undefined;
  let stderr = '';
  zstd.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  zstd.stdout.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      walker.write(chunk);
    } catch (err) {
      failure = err as Error;
      zstd.kill('SIGTERM');
    }
  });
  const exited = new Promise<number | null>((resolve, reject) => { zstd.on('error', reject); zstd.on('close', resolve); });
  exited.catch(() => undefined);
  zstd.stdin.on('error', (err) => { failure ??= err; });
  return {
    feed(chunk) {
      if (failure) throw failure;
      if (zstd.stdin.write(chunk)) return;
      return new Promise<void>((resolve) => {
        const go = () => { zstd.stdin.off('close', go); resolve(); };
        zstd.stdin.once('drain', go).once('close', go);
      });
    },
    async finish(counts) {
      zstd.stdin.end();
      const code = await exited;
      if (failure) throw failure;
      if (code !== 0) throw new Error(`zstd -dc could not decompress the stream (exit ${code}): ${stderr.trim()}`);
      return walker.end(counts);
    },
    stop() {
      if (zstd.exitCode === null && zstd.signalCode === null) zstd.kill('SIGTERM');
    },
  };
}

/** The manifest's words for a walk that passed. */
export function describeWalk(w: WalkResult, encoded: 'zstd' | undefined): string {
  return `pg_dump archive ${w.version} walked on the upload stream${encoded ? ' (through zstd -dc)' : ''}: header, ${w.entries} TOC entries, `
    + `${w.dataBlocks} data block(s) framed end to end, data for every table with rows`;
}
