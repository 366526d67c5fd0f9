/**
 * The Graphiti S3 backup's variables (seed 000): S3_BACKUP_BUCKET, plus the AWS SDK's (aws.ts). Its hourly full
 * backup (FULL_BACKUP_INTERVAL) becomes BACKUP_SCHEDULE; its startup restore (RESTORE_FROM_S3_ON_STARTUP) is
 * CAIRN_RESTORE_EMPTY_ON_START (worker/bootstrap-restore.ts); continuous incremental backup is recognised and refused.
 */
import { ConfigError } from '../errors';
import { bool, int } from '../read';
import type { Settings } from '../settings';

export const GRAPHITI_KEYS = ['S3_BACKUP_BUCKET', 'RESTORE_FROM_S3_ON_STARTUP', 'ENABLE_CONTINUOUS_BACKUP', 'ENABLE_FULL_BACKUP', 'FULL_BACKUP_INTERVAL'] as const;

/** An interval in seconds as the cron schedule that fires at that interval, when one does. */
function intervalSchedule(seconds: number): string | undefined {
  if (seconds % 60) return undefined;
  const minutes = seconds / 60;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  return hours === 24 ? '0 0 * * *' : undefined;
}

export function applyGraphiti(s: Settings): void {
  s.alias('S3_BACKUP_BUCKET', 'BACKUP_BUCKET');
  s.alias('RESTORE_FROM_S3_ON_STARTUP', 'CAIRN_RESTORE_EMPTY_ON_START');
  if (bool(s.values, 'ENABLE_CONTINUOUS_BACKUP', false)) {
    throw new ConfigError('ENABLE_CONTINUOUS_BACKUP', 'is true, but continuous incremental backup is not supported; Cairn takes full backups on BACKUP_SCHEDULE (e.g. \'*/15 * * * *\'); unset it');
  }
  if (!bool(s.values, 'ENABLE_FULL_BACKUP', true)) {
    throw new ConfigError('ENABLE_FULL_BACKUP', 'is false, but every Cairn backup is a full backup; unset it');
  }
  if (s.has('FULL_BACKUP_INTERVAL')) {
    const seconds = int(s.values, 'FULL_BACKUP_INTERVAL', 3600, 60, 86400);
    const schedule = intervalSchedule(seconds);
    if (!schedule) throw new ConfigError('FULL_BACKUP_INTERVAL', `is ${seconds} seconds, which no cron schedule repeats exactly; set BACKUP_SCHEDULE instead and unset it`);
    s.assign('BACKUP_SCHEDULE', schedule, 'FULL_BACKUP_INTERVAL', (a, b) => a.split(/\s+/).join(' ') === b);
  }
}
