/**
 * The Clara backup service's variables (seed 003): S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY
 * (S3_REGION, RESPAWN_PROTECTION_HOURS and FORCE_BACKUP are Cairn's own), and its databases by URL:
 * DATABASE_URL and every <NAME>_DATABASE_URL (MEM0_DATABASE_URL) is a PostgreSQL target.
 */
import { ConfigError } from '../errors';
import type { PostgresTarget } from '../types';
import type { Settings } from '../settings';
import { chosenTargetName, targetNameForDatabase } from '../names';

export const CLARA_KEYS = ['S3_BUCKET', 'S3_ENDPOINT_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'DATABASE_URL', 'MEM0_DATABASE_URL'] as const;

/** DATABASE_URL, MEM0_DATABASE_URL, ORDERS_DATABASE_URL...; not CAIRN_* (Cairn's own settings never end so). */
const DATABASE_URL_KEY = /^(?:([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_)?DATABASE_URL$/;

export function applyClara(s: Settings): void {
  s.alias('S3_BUCKET', 'BACKUP_BUCKET');
  s.alias('S3_ENDPOINT_URL', 'MINIO_ENDPOINT');
  s.alias('S3_ACCESS_KEY', 'MINIO_ACCESS_KEY');
  s.alias('S3_SECRET_KEY', 'MINIO_SECRET_KEY');
}

export function databaseUrlKeys(s: Settings): string[] {
  return Object.keys(s.values).filter((k) => DATABASE_URL_KEY.test(k) && !k.startsWith('CAIRN_') && s.has(k)).sort();
}

/** One PostgreSQL target per *_DATABASE_URL: DATABASE_URL is named after its database, MEM0_DATABASE_URL 'mem0'. */
export function databaseUrlTargets(s: Settings): { target: PostgresTarget; from: string }[] {
  return databaseUrlKeys(s).map((key) => {
    const text = s.raw(key)!;
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new ConfigError(key, 'must be a URL like postgresql://user:password@host:5432/database');
    }
    // Never echo the URL: it holds the password.
    if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw new ConfigError(key, `must be a postgresql:// URL, got '${u.protocol}//...'`);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!u.hostname || !database || !u.username) throw new ConfigError(key, 'must name a user, host and database: postgresql://user:password@host:5432/database');
    const options = [...u.searchParams.keys()];
    if (options.length) throw new ConfigError(key, `has connection options (${options.join(', ')}), which Cairn cannot honour yet; remove them`);
    const prefix = DATABASE_URL_KEY.exec(key)![1];
    const name = prefix ? chosenTargetName(prefix.toLowerCase(), key) : targetNameForDatabase(database, key);
    const port = u.port ? Number(u.port) : 5432;
    return {
      from: key,
      target: {
        type: 'postgres', name, host: u.hostname.replace(/^\[|\]$/g, ''), port,
        user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database,
      },
    };
  });
}
