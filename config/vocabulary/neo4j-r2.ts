/**
 * The Neo4j-to-R2 service's variables (seed 001): R2_ACCOUNT_ID (endpoint https://<account>.r2.cloudflarestorage.com,
 * region auto), R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET_NAME, BACKUP_COMPRESSION. NEO4J_HOST and
 * NEO4J_BOLT_PORT are read with the AI platform's NEO4J_HOST/NEO4J_PORT; BACKUP_PREFIX and RUN_IMMEDIATE_BACKUP
 * are Cairn's own now.
 */
import { ConfigError } from '../errors';
import { bool } from '../read';
import type { Settings } from '../settings';

export const NEO4J_R2_KEYS = ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'R2_BUCKET_NAME', 'BACKUP_COMPRESSION'] as const;

export function applyNeo4jR2(s: Settings): void {
  const account = s.raw('R2_ACCOUNT_ID');
  if (account !== undefined) {
    if (!/^[A-Za-z0-9]{1,64}$/.test(account)) throw new ConfigError('R2_ACCOUNT_ID', `must be a Cloudflare account id (letters and digits), got '${account}'`);
    s.assign('MINIO_ENDPOINT', `https://${account}.r2.cloudflarestorage.com`, 'R2_ACCOUNT_ID');
    s.assign('S3_REGION', 'auto', 'R2_ACCOUNT_ID');
  }
  s.alias('R2_ACCESS_KEY_ID', 'MINIO_ACCESS_KEY');
  s.alias('R2_SECRET_ACCESS_KEY', 'MINIO_SECRET_KEY');
  s.alias('R2_BUCKET_NAME', 'BACKUP_BUCKET');
  if (!bool(s.values, 'BACKUP_COMPRESSION', true)) {
    throw new ConfigError('BACKUP_COMPRESSION', 'is false, but Cairn always compresses where the format allows (gzip for Neo4j, zstd by default for PostgreSQL); unset it or set it to true');
  }
}
