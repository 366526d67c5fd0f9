/** Structural checks of a stored dump: pg_restore reads the archive to its end, and every counted table has its data. */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostgresTarget } from '../../config/types';
import type { ArtifactRecord, Counts, ReadContext } from '../engine';
import { exited, spawnPg } from './tools';

// pg_restore needs no server to read an archive; the target only supplies the (unused) connection settings.
const OFFLINE: PostgresTarget = { type: 'postgres', name: 'archive', host: '127.0.0.1', port: 5432, user: 'none', password: '', database: 'none' };

export async function validateDump(artifacts: ArtifactRecord[], counts: Counts, ctx: ReadContext): Promise<void> {
  const artifact = artifacts.find((a) => a.part === '');
  if (!artifact) throw new Error('the backup has no pg_dump artifact');
  await readWhole(artifact.key, counts, { stream: await ctx.open(artifact) });
}

/**
 * pg_restore reading an archive to its end. `piped` is a child process's stdout (a decompressor's) handed to
 * pg_restore as its stdin, so the decompressed bytes never pass through the worker; `stream` the worker feeds.
 */
export async function readWhole(key: string, counts: Counts, input: { stream: Readable } | { piped: Readable }): Promise<void> {
  const restore = spawnPg('pg_restore', ['--verbose', '--file=/dev/null'], OFFLINE, 'stream' in input ? 'pipe' : input.piped);
  const done = exited(restore, `pg_restore reading ${key}`);
  restore.stdout.resume();
  if ('piped' in input) {
    input.piped.destroy(); // pg_restore holds its own copy of the pipe
    await done;
  } else {
    await Promise.all([pipeline(input.stream, restore.stdin!).catch((err: NodeJS.ErrnoException) => {
      // pg_restore stopping early is reported by its exit status (and the read-back then verifies the rest):
      // its stdin closing shows as EPIPE, or as a premature close when it exits between two writes.
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    }), done]);
  }
  const stderr = await done;
  // Tables carry TABLE DATA entries; materialized views are repopulated by a REFRESH entry instead.
  const withData = new Set([...stderr.matchAll(/(?:processing data for table|creating MATERIALIZED VIEW DATA) "(.+)"/g)].map((m) => m[1]));
  const missing = Object.entries(counts.tables ?? {}).filter(([table, rows]) => rows > 0 && !withData.has(table)).map(([t]) => t);
  if (missing.length) throw new Error(`the dump ${key} has no data for table(s) ${missing.slice(0, 10).join(', ')} although the source had rows`);
}
