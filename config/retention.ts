/**
 * Retention, as restic's `forget` defines it, per target and per kind of backup (started by the backup
 * schedule, or manually). Defaults come from the environment; a config-file target's `retention:` mapping
 * overrides them, and its `manual:` / `scheduled:` mappings override that again.
 */
import { ConfigError } from './errors';
import { bool, int, str, type Source } from './read';

/** restic's keep options; 0 turns one off. withinDays counts back from the target's newest backup of that kind. */
export interface KeepRules {
  withinDays: number;
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

export type BackupTrigger = 'scheduled' | 'manual';
export type RetentionPolicy = Record<BackupTrigger, KeepRules>;

export interface RetentionConfig {
  defaults: RetentionPolicy;
  /** per target name, when its config-file entry has a `retention:` mapping */
  byTarget: Record<string, RetentionPolicy>;
  /** the daily pruneBackups schedule (cron, UTC) and its id */
  schedule: string;
  scheduleId: string;
  /** run the policy at the end of every backup cycle too */
  afterBackup: boolean;
  /**
   * objects without a manifest (and unfinished uploads) younger than this are left alone: a backup may be writing
   * them. Objects of a backup whose row says running are left alone whatever their age.
   */
  orphanGraceHours: number;
}

const MAX = 100_000;
const RULE_KEYS: [keyof KeepRules, string, string][] = [
  ['withinDays', 'within_days', 'BACKUP_RETENTION_DAYS'], ['last', 'keep_last', 'BACKUP_KEEP_LAST'],
  ['hourly', 'keep_hourly', 'BACKUP_KEEP_HOURLY'], ['daily', 'keep_daily', 'BACKUP_KEEP_DAILY'],
  ['weekly', 'keep_weekly', 'BACKUP_KEEP_WEEKLY'], ['monthly', 'keep_monthly', 'BACKUP_KEEP_MONTHLY'],
  ['yearly', 'keep_yearly', 'BACKUP_KEEP_YEARLY'],
];

export function retentionFromEnv(src: Source, retentionDays: number, cron: (src: Source, key: string, fallback: string) => string): Omit<RetentionConfig, 'byTarget'> {
  const base = Object.fromEntries(RULE_KEYS.map(([field, , env]) =>
    [field, field === 'withinDays' ? retentionDays : int(src, env, 0, 0, MAX)])) as unknown as KeepRules;
  return {
    defaults: {
      manual: { ...base, withinDays: int(src, 'BACKUP_RETENTION_MANUAL_DAYS', retentionDays, 0, 36500) },
      scheduled: { ...base, withinDays: int(src, 'BACKUP_RETENTION_SCHEDULED_DAYS', retentionDays, 0, 36500) },
    },
    schedule: cron(src, 'PRUNE_SCHEDULE', '0 6 * * *'),
    scheduleId: str(src, 'PRUNE_SCHEDULE_ID', 'cairn-prune'),
    afterBackup: bool(src, 'PRUNE_AFTER_BACKUP', true),
    orphanGraceHours: int(src, 'PRUNE_ORPHAN_GRACE_HOURS', 24, 0, 24 * 365),
  };
}

/** A target entry's `retention:` mapping (`at` is e.g. "targets[2].retention"), layered over the defaults. */
export function retentionFromEntry(raw: unknown, at: string, defaults: RetentionPolicy): RetentionPolicy {
  const layer = (value: unknown, path: string, allowed: string[]): Source => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path, 'must be a mapping of keep rules');
    const stray = Object.keys(value).find((k) => !allowed.includes(k));
    if (stray) throw new ConfigError(`${path}.${stray}`, `is not a retention setting (settings: ${allowed.join(', ')})`);
    return value as Source;
  };
  const ruleNames = RULE_KEYS.map(([, name]) => name);
  const top = layer(raw, at, [...ruleNames, 'manual', 'scheduled']);
  const apply = (rules: KeepRules, src: Source, path: string): KeepRules => {
    const keyed: Source = Object.fromEntries(Object.entries(src).map(([k, v]) => [`${path}.${k}`, v]));
    return Object.fromEntries(RULE_KEYS.map(([field, name]) =>
      [field, int(keyed, `${path}.${name}`, rules[field], 0, field === 'withinDays' ? 36500 : MAX)])) as unknown as KeepRules;
  };
  const policy = {} as RetentionPolicy;
  for (const trigger of ['manual', 'scheduled'] as const) {
    const targetWide = apply(defaults[trigger], top, at);
    policy[trigger] = top[trigger] === undefined ? targetWide : apply(targetWide, layer(top[trigger], `${at}.${trigger}`, ruleNames), `${at}.${trigger}`);
  }
  return policy;
}
