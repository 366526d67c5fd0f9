/**
 * The Graphiti S3 backup's variables (seed 000): S3_BACKUP_BUCKET, plus the AWS SDK's (aws.ts). Its startup
 * restore and continuous backup are recognised, and refused while Cairn cannot do them.
 */
import { ConfigError } from '../errors';
import { bool } from '../read';
import type { Settings } from '../settings';

export const GRAPHITI_KEYS = ['S3_BACKUP_BUCKET', 'RESTORE_FROM_S3_ON_STARTUP', 'ENABLE_CONTINUOUS_BACKUP'] as const;

export function applyGraphiti(s: Settings): void {
  s.alias('S3_BACKUP_BUCKET', 'BACKUP_BUCKET');
  if (bool(s.values, 'RESTORE_FROM_S3_ON_STARTUP', false)) {
    throw new ConfigError('RESTORE_FROM_S3_ON_STARTUP', 'is true, but restoring at start-up is not supported yet; unset it (or set it to false) and restore with Cairn\'s restore workflow');
  }
  if (bool(s.values, 'ENABLE_CONTINUOUS_BACKUP', false)) {
    throw new ConfigError('ENABLE_CONTINUOUS_BACKUP', 'is true, but continuous incremental backup is not supported; Cairn takes full backups on BACKUP_SCHEDULE (e.g. \'*/15 * * * *\'); unset it');
  }
}
