/**
 * Loads Cairn's configuration from the environment and an optional file (CAIRN_CONFIG, YAML or JSON).
 * The file uses the same keys as the environment, plus a `targets:` list; the environment wins. The variables of
 * the deployments Cairn replaces are read too (config/vocabulary/).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { BackupPolicy, CairnConfig, PostgresTarget } from './types';
import { ConfigError } from './errors';
import { bool, int, port, secret, stackAddress, str, url, type Source } from './read';
import { checkUniqueNames, targetFromEntry } from './targets';
import { targetsFromEnv } from './env-targets';
import { Settings } from './settings';
import { storageConfig } from './storage';
import { applyVocabularies } from './vocabulary';
import { databaseUrlKeys } from './vocabulary/clara';
import { drillConfig } from './drill';
import { maskingConfig } from './masking';
import { opsConfig } from './ops';
import { retentionFromEntry, retentionFromEnv, type RetentionPolicy } from './retention';
import { encryptionConfig, objectLockConfig } from './encryption';
import { KNOWN_ENV_KEYS } from './keys';

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const FILE_KEYS = new Set<string>([...KNOWN_ENV_KEYS, 'targets', 'drill_checks', 'masking']);
const CRON_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];
const CRON_RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

function readConfigFile(path: string): Source {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CAIRN_CONFIG', `names '${path}', which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    // failsafe keeps every scalar a string (a password 00123 stays 00123); the typed readers parse them.
    parsed = parseYaml(text, { schema: 'failsafe' });
  } catch (err) {
    throw new ConfigError('CAIRN_CONFIG', `file '${path}' is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('CAIRN_CONFIG', `file '${path}' must hold a mapping of settings`);
  }
  // A misspelt key in a file would otherwise be ignored in favour of its default (the environment cannot be
  // checked so: it holds everything else on the machine too).
  const unknown = Object.keys(parsed).filter((k) => !FILE_KEYS.has(k) && !/^[A-Z0-9_]+_DATABASE_URL$/.test(k));
  if (unknown.length) {
    throw new ConfigError('CAIRN_CONFIG', `file '${path}' has unknown setting(s) ${unknown.map((k) => `'${k}'`).join(', ')}; see README, Configuration`);
  }
  return parsed as Source;
}

function cron(src: Source, key: string, fallback: string): string {
  const value = str(src, key, fallback);
  const fields = value.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new ConfigError(key, `must be a 5-field cron expression like '0 2 * * *', got '${value}'`);
  }
  // Each number within its field's range: '61 * * * *' would otherwise reach Temporal and fail there, or never fire.
  const bad = fields.findIndex((f, i) => (f.match(/\d+/g) ?? []).some((n, j, all) => {
    const step = f.includes('/') && j === all.length - 1 && f.endsWith(`/${n}`);
    return step ? Number(n) < 1 : Number(n) < CRON_RANGES[i]![0] || Number(n) > CRON_RANGES[i]![1];
  }));
  if (bad >= 0) {
    const [lo, hi] = CRON_RANGES[bad]!;
    throw new ConfigError(key, `has ${CRON_NAMES[bad]} '${fields[bad]}' outside ${lo}-${hi} (a 5-field cron expression like '0 2 * * *'), got '${value}'`);
  }
  return value;
}

/** The configuration and, per Cairn setting, the variable or file it came from (for `cairn config show`). */
export interface LoadedConfig {
  config: CairnConfig;
  settings: Settings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CairnConfig {
  return loadConfigWithSources(env).config;
}

export function loadConfigWithSources(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = env.CAIRN_CONFIG ? readConfigFile(env.CAIRN_CONFIG) : {};
  const setEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const blankInEnv = new Set(Object.entries(env).filter(([, v]) => v === '').map(([k]) => k));
  const settings = new Settings(file, env.CAIRN_CONFIG ? `CAIRN_CONFIG (${env.CAIRN_CONFIG})` : 'CAIRN_CONFIG', setEnv);
  try {
    return { config: build(settings, file, blankInEnv, env.CAIRN_CONFIG), settings };
  } catch (err) {
    // A setting that came from another deployment's variable is reported under the variable the operator set.
    if (err instanceof ConfigError && settings.origin[err.key] && settings.origin[err.key] !== err.key && !settings.fromFile(err.key)) {
      throw new ConfigError(settings.origin[err.key]!, err.problem);
    }
    throw err;
  }
}

function build(settings: Settings, file: Source, blankInEnv: Set<string>, configPath: string | undefined): CairnConfig {
  const vocabulary = applyVocabularies(settings, blankInEnv);
  const src = settings.values;

  let targets;
  if (file.targets !== undefined) {
    if (!Array.isArray(file.targets)) throw new ConfigError('targets', 'must be a list of targets');
    const byUrl = databaseUrlKeys(settings);
    if (byUrl.length) throw new ConfigError(byUrl[0]!, "declares a target, but CAIRN_CONFIG's targets: list declares them all; move it into the list");
    targets = file.targets.map((entry, i) => {
      if (entry === null || typeof entry !== 'object') throw new ConfigError(`targets[${i}]`, 'must be a mapping');
      return targetFromEntry(entry as Source, `targets[${i}].`, dirname(configPath!));
    });
  } else {
    targets = targetsFromEnv(settings, vocabulary.impliedTypes);
  }
  if (!targets.length) {
    throw new ConfigError(file.targets !== undefined ? 'targets' : 'CAIRN_TARGET_TYPES', 'declares no backup target; a worker with nothing to back up is a misconfiguration');
  }
  checkUniqueNames(targets, file.targets !== undefined ? 'targets' : 'POSTGRES_DATABASES/NEO4J_NAME/QDRANT_NAME');

  const tlsCert = str(src, 'TEMPORAL_TLS_CERT_FILE', '');
  const tlsKey = str(src, 'TEMPORAL_TLS_KEY_FILE', '');
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw new ConfigError('TEMPORAL_TLS_CERT_FILE', 'and TEMPORAL_TLS_KEY_FILE must be set together (mTLS needs both)');
  }
  const retentionDays = int(src, 'BACKUP_RETENTION_DAYS', 30, 1, 36500);
  const retention = { ...retentionFromEnv(src, retentionDays, cron), byTarget: {} as Record<string, RetentionPolicy> };
  (Array.isArray(file.targets) ? file.targets as Source[] : []).forEach((entry, i) => {
    if (entry.retention !== undefined) retention.byTarget[targets[i]!.name] = retentionFromEntry(entry.retention, `targets[${i}].retention`, retention.defaults);
  });

  const tlsOn = bool(src, 'TEMPORAL_TLS', Boolean(tlsCert) || Boolean(str(src, 'TEMPORAL_TLS_CA_FILE', '')));
  const firstPostgres = targets.find((t): t is PostgresTarget => t.type === 'postgres');
  // backup_history lives beside the data: the POSTGRES_* server, or else the first database named by URL.
  const metadataHome = !settings.has('POSTGRES_HOST') && !settings.has('POSTGRES_DB') && firstPostgres && databaseUrlKeys(settings).length ? firstPostgres : undefined;

  const masking = maskingConfig(file.masking, targets);
  const drill = drillConfig(src, file, targets, cron);
  if (drill.mask && !Object.keys(masking).length) {
    throw new ConfigError('DRILL_MASK', 'is true, but no masking rules are configured (masking: in the config file), so there is nothing to mask');
  }

  return {
    temporal: {
      address: str(src, 'TEMPORAL_ADDRESS', stackAddress(src, 'TEMPORAL_PORT', 7233, (p) => `127.0.0.1:${p}`)),
      namespace: str(src, 'TEMPORAL_NAMESPACE', 'default'),
      taskQueue: str(src, 'TEMPORAL_TASK_QUEUE', 'cairn'),
      uiUrl: url(src, 'TEMPORAL_UI_URL', stackAddress(src, 'TEMPORAL_UI_PORT', 8233, (p) => `http://127.0.0.1:${p}`), ['http:', 'https:']),
      ...(tlsOn
        ? { tls: {
            ...(tlsCert ? { certFile: tlsCert, keyFile: tlsKey } : {}),
            ...(str(src, 'TEMPORAL_TLS_CA_FILE', '') ? { caFile: str(src, 'TEMPORAL_TLS_CA_FILE') } : {}),
            ...(str(src, 'TEMPORAL_TLS_SERVER_NAME', '') ? { serverName: str(src, 'TEMPORAL_TLS_SERVER_NAME') } : {}),
          } }
        : {}),
    },
    storage: { ...storageConfig(settings, vocabulary.awsStyleStore), ...(objectLockConfig(src) ? { objectLock: objectLockConfig(src) } : {}) },
    metadata: {
      host: str(src, 'CAIRN_METADATA_HOST', metadataHome?.host ?? str(src, 'POSTGRES_HOST', '127.0.0.1')),
      port: port(src, 'CAIRN_METADATA_PORT', metadataHome?.port ?? port(src, 'POSTGRES_PORT', 5432)),
      user: str(src, 'CAIRN_METADATA_USER', metadataHome?.user ?? str(src, 'POSTGRES_USER', 'cairn')),
      password: secret(src, 'CAIRN_METADATA_PASSWORD', 'CAIRN_METADATA_PASSWORD_FILE', metadataHome?.password ?? secret(src, 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE', 'cairn')),
      database: str(src, 'CAIRN_METADATA_DATABASE', metadataHome?.database ?? str(src, 'POSTGRES_DB', 'cairn')),
    },
    targets,
    drill,
    masking,
    ops: opsConfig(src, targets, cron),
    retention,
    backup: {
      schedule: cron(src, 'BACKUP_SCHEDULE', '0 2 * * *'),
      scheduleId: str(src, 'BACKUP_SCHEDULE_ID', 'cairn-backup-cycle'),
      retentionDays,
      concurrency: int(src, 'BACKUP_CONCURRENCY', 2, 1, 64),
      applyScheduleOnStart: bool(src, 'CAIRN_APPLY_SCHEDULE_ON_START', false),
      runOnStart: bool(src, 'RUN_IMMEDIATE_BACKUP', vocabulary.backsUpOnStart),
      respawnProtectionHours: int(src, 'RESPAWN_PROTECTION_HOURS', 23, 0, 8760),
      forceBackup: bool(src, 'FORCE_BACKUP', false),
      restoreEmptyOnStart: bool(src, 'CAIRN_RESTORE_EMPTY_ON_START', false),
      retry: retryTuning(src),
    },
    encryption: encryptionConfig(src),
  };
}

function retryTuning(src: Source): BackupPolicy['retry'] {
  const delay = int(src, 'DB_RETRY_DELAY', 0, 1, 3600);
  const attempts = int(src, 'DB_RETRY_ATTEMPTS', 0, 1, 1000);
  return {
    windowMinutes: int(src, 'CAIRN_RETRY_WINDOW_MINUTES', 30, 1, 10080),
    ...(delay ? { initialDelaySeconds: delay } : {}),
    ...(attempts ? { minAttempts: attempts } : {}),
  };
}
