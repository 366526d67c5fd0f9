/**
 * Loads Cairn's configuration from the environment and an optional file (CAIRN_CONFIG, YAML or JSON).
 * The file uses the same keys as the environment, plus a `targets:` list; the environment wins.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CairnConfig } from './types';
import { ConfigError } from './errors';
import { bool, int, port, secret, stackAddress, str, url, type Source } from './read';
import { checkUniqueNames, targetFromEntry, targetsFromEnv } from './targets';
import { drillConfig } from './drill';
import { retentionFromEntry, retentionFromEnv, type RetentionPolicy } from './retention';

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

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
  return parsed as Source;
}

function cron(src: Source, key: string, fallback: string): string {
  const value = str(src, key, fallback);
  const fields = value.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new ConfigError(key, `must be a 5-field cron expression like '0 2 * * *', got '${value}'`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CairnConfig {
  const file = env.CAIRN_CONFIG ? readConfigFile(env.CAIRN_CONFIG) : {};
  const src: Source = { ...file, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };

  let targets;
  if (file.targets !== undefined) {
    if (!Array.isArray(file.targets)) throw new ConfigError('targets', 'must be a list of targets');
    targets = file.targets.map((entry, i) => {
      if (entry === null || typeof entry !== 'object') throw new ConfigError(`targets[${i}]`, 'must be a mapping');
      return targetFromEntry(entry as Source, `targets[${i}].`, dirname(env.CAIRN_CONFIG!));
    });
  } else {
    targets = targetsFromEnv(src);
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
    storage: {
      endpoint: url(src, 'MINIO_ENDPOINT', stackAddress(src, 'MINIO_PORT', 9000, (p) => `http://127.0.0.1:${p}`), ['http:', 'https:']),
      region: str(src, 'S3_REGION', 'us-east-1'),
      bucket: bucketName(str(src, 'BACKUP_BUCKET', 'backups')),
      accessKey: secret(src, 'MINIO_ACCESS_KEY', 'MINIO_ACCESS_KEY_FILE', 'cairn'),
      secretKey: secret(src, 'MINIO_SECRET_KEY', 'MINIO_SECRET_KEY_FILE', 'cairn-secret'),
      forcePathStyle: bool(src, 'S3_FORCE_PATH_STYLE', true),
      createBucket: bool(src, 'S3_CREATE_BUCKET', true),
      partSize: int(src, 'S3_PART_SIZE_MB', 16, 5, 5120) * 1024 * 1024,
      queueSize: int(src, 'S3_UPLOAD_QUEUE_SIZE', 1, 1, 16),
    },
    // backup_history lives in POSTGRES_DB on the POSTGRES_* server unless CAIRN_METADATA_* says otherwise.
    metadata: {
      host: str(src, 'CAIRN_METADATA_HOST', str(src, 'POSTGRES_HOST', '127.0.0.1')),
      port: port(src, 'CAIRN_METADATA_PORT', port(src, 'POSTGRES_PORT', 5432)),
      user: str(src, 'CAIRN_METADATA_USER', str(src, 'POSTGRES_USER', 'cairn')),
      password: secret(src, 'CAIRN_METADATA_PASSWORD', 'CAIRN_METADATA_PASSWORD_FILE', secret(src, 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE', 'cairn')),
      database: str(src, 'CAIRN_METADATA_DATABASE', str(src, 'POSTGRES_DB', 'cairn')),
    },
    targets,
    drill: drillConfig(src, file, targets, cron),
    retention,
    backup: {
      schedule: cron(src, 'BACKUP_SCHEDULE', '0 2 * * *'),
      scheduleId: str(src, 'BACKUP_SCHEDULE_ID', 'cairn-backup-cycle'),
      retentionDays,
      concurrency: int(src, 'BACKUP_CONCURRENCY', 2, 1, 64),
      applyScheduleOnStart: bool(src, 'CAIRN_APPLY_SCHEDULE_ON_START', false),
    },
  };
}

function bucketName(name: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    throw new ConfigError('BACKUP_BUCKET', `must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-'), got '${name}'`);
  }
  return name;
}
