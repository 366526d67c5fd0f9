/** Typed readers over one source of settings (environment or config file), each naming the key on error. */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

export type Source = Record<string, unknown>;

export function str(src: Source, key: string, fallback?: string): string {
  const v = src[key];
  if (v === undefined || v === null || v === '') {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(key, 'is required but not set');
  }
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ConfigError(key, `must be a string, got ${typeof v}`);
  }
  return String(v).trim();
}

export function int(src: Source, key: string, fallback: number, min: number, max: number): number {
  const raw = src[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max}, got '${String(raw)}'`);
  }
  return n;
}

export function port(src: Source, key: string, fallback: number): number {
  return int(src, key, fallback, 1, 65535);
}

export function bool(src: Source, key: string, fallback: boolean): boolean {
  const raw = src[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(key, `must be true or false, got '${String(raw)}'`);
}

export function url(src: Source, key: string, fallback: string | undefined, protocols: string[]): string {
  const value = str(src, key, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(key, `must be a URL like ${protocols[0]}//host:port, got '${value}'`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(key, `must use ${protocols.join(' or ')}, got '${parsed.protocol}' in '${value}'`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * A secret from `key`, or from the file named by `key_FILE` (Docker secrets). Setting both is ambiguous,
 * so it is an error; the file's trailing newline is dropped.
 */
export function secret(src: Source, key: string, fileKey: string, fallback?: string): string {
  const direct = src[key];
  const file = src[fileKey];
  const hasDirect = direct !== undefined && direct !== null && direct !== '';
  if (hasDirect && file) throw new ConfigError(key, `and ${fileKey} are both set; set only one`);
  if (file) {
    const path = String(file);
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(fileKey, `names '${path}', which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return str(src, key, fallback);
}

/**
 * The local stack's address for a service: loopback on the port the stack scripts use (the same variable,
 * e.g. QDRANT_PORT), so moving a port for `npm run stack:up` moves Cairn's default with it.
 */
export function stackAddress(src: Source, portKey: string, defaultPort: number, format: (port: number) => string): string {
  return format(port(src, portKey, defaultPort));
}
