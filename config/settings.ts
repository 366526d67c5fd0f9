/**
 * The settings the loader reads, under Cairn's own keys, each remembering the variable (or file) it came from.
 * Other deployments' variables are translated into Cairn's keys here; when two variables name one setting
 * and disagree, start-up fails naming both, because guessing which one the operator meant could back up
 * the wrong server or write to the wrong bucket.
 */
import { ConfigError } from './errors';
import type { Source } from './read';

/** Settings whose values must never be printed, even in an error. */
export const SECRET_KEYS = new Set(['MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY', 'POSTGRES_PASSWORD', 'NEO4J_PASSWORD', 'NEO4J_DRILL_PASSWORD',
  'QDRANT_API_KEY', 'CAIRN_METADATA_PASSWORD', 'BACKUP_ENCRYPTION_PASSPHRASE', 'BACKUP_ENCRYPTION_IDENTITIES']);

/** What a key means, for messages about two variables that both set it. */
const MEANING: Record<string, string> = {
  MINIO_ENDPOINT: 'the object store endpoint', BACKUP_BUCKET: 'the bucket', S3_REGION: 'the region',
  MINIO_ACCESS_KEY: 'the access key', MINIO_SECRET_KEY: 'the secret key', NEO4J_URI: 'the Neo4j server',
  QDRANT_URL: 'the Qdrant server', POSTGRES_HOST: 'the PostgreSQL host', POSTGRES_PORT: 'the PostgreSQL port',
  POSTGRES_DB: 'the PostgreSQL database', POSTGRES_USER: 'the PostgreSQL user', POSTGRES_PASSWORD_FILE: 'the PostgreSQL password file',
};

export class Settings {
  /** the values under Cairn's keys, as the typed readers (config/read.ts) expect them */
  readonly values: Source;
  /** where each key's value came from: the variable the operator set, or the config file */
  readonly origin: Record<string, string> = {};

  private readonly fileKeys = new Set<string>();

  constructor(file: Source, private readonly fileLabel: string, env: Source) {
    this.values = { ...file, ...env };
    for (const k of Object.keys(file)) if (k !== 'targets' && !(k in env)) this.fileKeys.add(k);
    for (const k of Object.keys(this.values)) this.origin[k] = k;
  }

  /** Whether `key`'s value came from the CAIRN_CONFIG file. */
  fromFile(key: string): boolean {
    return this.fileKeys.has(key) && this.origin[key] === key;
  }

  /** Where `key`'s value came from, as `cairn config show` prints it; undefined: not set, so the default applies. */
  describe(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    return this.fromFile(key) ? `${this.fileLabel}: ${key}` : this.from(key);
  }

  has(key: string): boolean {
    const v = this.values[key];
    return v !== undefined && v !== null && v !== '';
  }

  raw(key: string): string | undefined {
    return this.has(key) ? String(this.values[key]).trim() : undefined;
  }

  /** The variable the operator set for `key`, for error messages and `cairn config show`. */
  from(key: string): string {
    return this.origin[key] ?? key;
  }

  /**
   * Sets Cairn's `key` from another deployment's variable(s) named by `from`. A value already there (set
   * directly or by another vocabulary) must agree, or start-up fails naming both variables.
   */
  assign(key: string, value: string, from: string, same: (a: string, b: string) => boolean = (a, b) => a === b): void {
    const existing = this.raw(key);
    if (existing !== undefined && this.from(key) !== from && !same(existing, value)) {
      const values = SECRET_KEYS.has(key) ? '' : ` ('${existing}' and '${value}')`;
      throw new ConfigError(this.from(key), `and ${from} disagree about ${MEANING[key] ?? key}${values}; set only one`);
    }
    if (existing === undefined) {
      this.values[key] = value;
      this.origin[key] = from;
    }
  }

  /** Sets `key` from a variable of the same meaning under another name (S3_BUCKET for BACKUP_BUCKET, say). */
  alias(from: string, key: string): void {
    const v = this.raw(from);
    if (v !== undefined) this.assign(key, v, from);
  }
}
