/**
 * How a PostgreSQL dump is compressed: `gzip[:level]` (pg_dump's own, inside the archive), `zstd[:level]`
 * (pg_dump -Z0 piped into a zstd process, so the stored object is a .dump.zst; the default), `lz4` (pg_dump's own,
 * pg_dump 16 or newer) or `none`. Set per target (file key `compression`) or for env targets (CAIRN_PG_COMPRESSION).
 */
import { ConfigError } from './errors';
import { str, type Source } from './read';

export type CompressionMethod = 'gzip' | 'zstd' | 'lz4' | 'none';

export interface Compression {
  method: CompressionMethod;
  /** absent: the method's default (gzip 6, zstd 3; the default compression names zstd 1 explicitly) */
  level?: number;
}

/**
 * zstd:1, chosen by `npm run bench` (docs/benchmarks.md): it backs up in well under the time of pg_dump's own
 * gzip 6, and on the bench data both faster (about 25% less zstd CPU) and no larger than zstd:3 (86.7 against
 * 89.1 MiB); with the worker's memory tuning (worker/lean-process.ts) its peak RSS measured ~210 MiB, inside the
 * 256 MiB budget. Data that compresses better at higher levels can set `zstd:3` or more. The stored object is a
 * .dump.zst: `zstd -dc x | pg_restore`.
 */
export const DEFAULT_PG_COMPRESSION: Compression = { method: 'zstd', level: 1 };

const LEVELS: Record<CompressionMethod, [number, number] | undefined> = { gzip: [1, 9], zstd: [1, 19], lz4: undefined, none: undefined };

/** Parses `method[:level]`; throws ConfigError naming `key` for anything else. */
export function parseCompression(key: string, raw: string): Compression {
  const [name = '', level, ...rest] = raw.trim().toLowerCase().split(':');
  const method = name as CompressionMethod;
  if (!(method in LEVELS) || rest.length) throw new ConfigError(key, `must be gzip[:1-9], zstd[:1-19], lz4 or none, got '${raw}'`);
  if (level === undefined) return { method };
  const range = LEVELS[method];
  const n = Number(level);
  if (!range || !/^\d+$/.test(level) || n < range[0] || n > range[1]) {
    throw new ConfigError(key, range ? `level for ${method} must be ${range[0]}-${range[1]}, got '${level}'` : `${method} takes no level, got '${raw}'`);
  }
  return { method, level: n };
}

/** The compression a source declares under `key`, or nothing when it is unset (the default then applies). */
export function compressionSetting(src: Source, key: string): { compression?: Compression } {
  const raw = str(src, key, '');
  return raw ? { compression: parseCompression(key, raw) } : {};
}

/** `zstd:3`, as operators write it. */
export function compressionName(c: Compression): string {
  return c.level === undefined ? c.method : `${c.method}:${c.level}`;
}
