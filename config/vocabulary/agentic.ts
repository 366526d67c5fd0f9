/**
 * The agentic platform backup's variables (seed 004): DB_HOST, DB_PORT, DB_NAME, DB_USER_FILE and
 * DB_PASSWORD_FILE (Docker secrets), S3_BUCKET (also BACKUP_S3_BUCKET, as its README's S3 steps spell it)
 * and AWS_REGION (aws.ts). BACKUP_DIR, or an empty S3_BUCKET (local only: /backups), is a directory store.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { Settings } from '../settings';

export const AGENTIC_KEYS = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER_FILE', 'DB_PASSWORD_FILE', 'BACKUP_S3_BUCKET', 'BACKUP_DIR'] as const;

export function applyAgentic(s: Settings, blankInEnv: Set<string>): void {
  // An empty S3_BUCKET meant local backups only, in BACKUP_DIR (default /backups); BACKUP_DIR is read by config/storage.ts.
  if (blankInEnv.has('S3_BUCKET') && !s.has('BACKUP_DIR') && AGENTIC_KEYS.some((k) => s.has(k))) s.assign('BACKUP_DIR', '/backups', 'S3_BUCKET');
  s.alias('DB_HOST', 'POSTGRES_HOST');
  s.alias('DB_PORT', 'POSTGRES_PORT');
  s.alias('DB_NAME', 'POSTGRES_DB');
  s.alias('DB_PASSWORD_FILE', 'POSTGRES_PASSWORD_FILE');
  s.alias('BACKUP_S3_BUCKET', 'BACKUP_BUCKET');
  const userFile = s.raw('DB_USER_FILE');
  if (userFile !== undefined) {
    let user: string;
    try {
      user = readFileSync(userFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError('DB_USER_FILE', `names '${userFile}', which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    s.assign('POSTGRES_USER', user, 'DB_USER_FILE');
  }
}
