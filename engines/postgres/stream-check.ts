/**
 * The structural check of a dump on its way to the store (CAIRN_VERIFY=stream): the archive walk
 * (archive-walk.ts) fed the same bytes the upload gets. A zstd-compressed dump is walked through a `zstd -dcq`
 * child fed in parallel: the decompressed archive only passes the walker, a few chunks at a time.
 */
import { ArchiveWalker, type WalkResult } from './archive-walk';
import { decompressor } from './decompress';

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
  // The same child a restore decompresses with (decompress.ts): its exit status and stderr make the error.
  const { child: zstd, done } = decompressor('zstd', 'pipe', 'pipe');
  const stdin = zstd.stdin!;
  let failure: Error | undefined;
  zstd.stdout!.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      walker.write(chunk);
    } catch (err) {
      failure = err as Error;
      zstd.kill('SIGTERM');
    }
  });
  stdin.on('error', (err) => { failure ??= err; });
  return {
    feed(chunk) {
      if (failure) throw failure;
      if (stdin.write(chunk)) return;
      return new Promise<void>((resolve) => {
        const go = () => { stdin.off('close', go); resolve(); };
        stdin.once('drain', go).once('close', go);
      });
    },
    async finish(counts) {
      stdin.end();
      const exited = await done.then(() => undefined, (err: Error) => err);
      if (failure) throw failure;
      if (exited) throw new Error(`the zstd stream could not be decompressed: ${exited.message}`);
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
