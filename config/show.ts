/**
 * The effective configuration as `cairn config show` prints it: every setting, its value with secrets masked,
 * and the variable or file it came from, so an operator switching deployments sees what Cairn understood.
 */
import type { Target } from './types';
import { describeWith, maskedField } from './masking';
import type { LoadedConfig } from './load';
import type { Settings } from './settings';
import { databaseUrlTargets } from './vocabulary/clara';

export interface ShownSetting {
  setting: string;
  value: string;
  from: string;
}

const MASK = '********';

/** Where one of Cairn's keys came from: the first of `keys` (or its *_FILE) that was set, else `fallback`. */
function source(s: Settings, keys: string[], fallback = 'default'): string {
  for (const k of keys) {
    const d = s.describe(`${k}_FILE`) ?? s.describe(k);
    if (d) return d;
  }
  return fallback;
}

/** Userinfo in a URL is a credential too. */
function maskUrl(value: string): string {
  try {
    const u = new URL(value);
    if (!u.password && !u.username) return value;
    u.username = u.username ? MASK : '';
    u.password = u.password ? MASK : '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return value;
  }
}

function targetRows(s: Settings, t: Target, i: number, fromFile: string | undefined, byUrl: Map<string, string>): ShownSetting[] {
  const at = `targets[${i}]`;
  const row = (field: string, value: unknown, keys: string[], secret = false): ShownSetting => ({
    setting: `${at}.${field}`,
    value: value === undefined ? '(none)' : secret ? MASK : maskUrl(String(value)),
    from: fromFile ?? byUrl.get(t.name) ?? source(s, keys),
  });
  const rows = [row('type', t.type, ['CAIRN_TARGET_TYPES'])];
  switch (t.type) {
    case 'postgres':
      rows.push(row('name', t.name, ['POSTGRES_DATABASES', 'POSTGRES_DB']), row('host', t.host, ['POSTGRES_HOST']), row('port', t.port, ['POSTGRES_PORT']),
        row('user', t.user, ['POSTGRES_USER']), row('password', t.password, ['POSTGRES_PASSWORD'], true), row('database', t.database, ['POSTGRES_DATABASES', 'POSTGRES_DB']));
      break;
    case 'neo4j':
      rows.push(row('name', t.name, ['NEO4J_NAME']), row('uri', t.uri, ['NEO4J_URI', 'NEO4J_BOLT_PORT']), row('user', t.user, ['NEO4J_USER']),
        row('password', t.password, ['NEO4J_PASSWORD'], true), row('database', t.database, ['NEO4J_DATABASE']));
      if (t.drill) rows.push(row('drill.uri', t.drill.uri, ['NEO4J_DRILL_URI', 'NEO4J_DRILL_BOLT_PORT']), row('drill.password', t.drill.password, ['NEO4J_DRILL_PASSWORD', 'NEO4J_PASSWORD'], true));
      break;
    default:
      rows.push(row('name', t.name, ['QDRANT_NAME']), row('url', t.url, ['QDRANT_URL', 'QDRANT_PORT']),
        ...(t.apiKey ? [row('api_key', t.apiKey, ['QDRANT_API_KEY'], true)] : []));
  }
  return rows;
}

export function showConfig({ config, settings: s }: LoadedConfig): ShownSetting[] {
  const row = (setting: string, value: unknown, keys: string[], opts: { secret?: boolean; fallback?: string } = {}): ShownSetting => ({
    setting, value: opts.secret ? MASK : maskUrl(String(value)), from: source(s, keys, opts.fallback),
  });
  const { temporal, storage, metadata, backup } = config;
  const keysFrom = storage.accessKey === undefined ? 'AWS SDK default credential chain (IAM role, web identity, AWS_PROFILE)' : undefined;
  const fileTargets = Array.isArray(s.values.targets) ? s.describe('CAIRN_CONFIG') ?? 'CAIRN_CONFIG' : undefined;
  const byUrl = new Map(databaseUrlTargets(s).map((u) => [u.target.name, u.from]));
  const metadataKeys = (k: string, pg: string) => [`CAIRN_METADATA_${k}`, pg];
  // Without POSTGRES_*, backup_history lives in the first database named by URL (config/load.ts).
  const metadataHome = { fallback: byUrl.size && !s.has('POSTGRES_HOST') && !s.has('POSTGRES_DB') ? [...byUrl.values()][0]! : 'default' };
  return [
    row('temporal.address', temporal.address, ['TEMPORAL_ADDRESS', 'TEMPORAL_PORT']),
    row('temporal.namespace', temporal.namespace, ['TEMPORAL_NAMESPACE']),
    row('temporal.task_queue', temporal.taskQueue, ['TEMPORAL_TASK_QUEUE']),
    row('temporal.ui_url', temporal.uiUrl, ['TEMPORAL_UI_URL', 'TEMPORAL_UI_PORT']),
    row('temporal.tls', temporal.tls ? 'on' : 'off', ['TEMPORAL_TLS', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_CA_FILE']),
    row('storage.endpoint', storage.endpoint, ['MINIO_ENDPOINT', 'MINIO_PORT'], { fallback: storage.forcePathStyle ? 'default' : 'default: AWS S3 in storage.region' }),
    row('storage.region', storage.region, ['S3_REGION']),
    row('storage.directory', storage.directory ?? '(none: the bucket)', ['BACKUP_DIR']),
    row('storage.bucket', storage.bucket, ['BACKUP_BUCKET']),
    row('storage.prefix', storage.prefix || '(none)', ['BACKUP_PREFIX']),
    keysFrom ? { setting: 'storage.credentials', value: '(none set)', from: keysFrom } : row('storage.access_key', storage.accessKey, ['MINIO_ACCESS_KEY'], { secret: true }),
    ...(keysFrom ? [] : [row('storage.secret_key', storage.secretKey, ['MINIO_SECRET_KEY'], { secret: true })]),
    row('storage.force_path_style', storage.forcePathStyle, ['S3_FORCE_PATH_STYLE']),
    row('storage.create_bucket', storage.createBucket, ['S3_CREATE_BUCKET']),
    row('storage.part_size_mb', storage.partSize / 1024 / 1024, ['S3_PART_SIZE_MB']),
    row('storage.upload_queue_size', storage.queueSize, ['S3_UPLOAD_QUEUE_SIZE']),
    row('metadata.host', metadata.host, metadataKeys('HOST', 'POSTGRES_HOST'), metadataHome),
    row('metadata.port', metadata.port, metadataKeys('PORT', 'POSTGRES_PORT'), metadataHome),
    row('metadata.user', metadata.user, metadataKeys('USER', 'POSTGRES_USER'), metadataHome),
    row('metadata.password', metadata.password, metadataKeys('PASSWORD', 'POSTGRES_PASSWORD'), { ...metadataHome, secret: true }),
    row('metadata.database', metadata.database, metadataKeys('DATABASE', 'POSTGRES_DB'), metadataHome),
    row('backup.schedule', backup.schedule, ['BACKUP_SCHEDULE']),
    row('backup.schedule_id', backup.scheduleId, ['BACKUP_SCHEDULE_ID']),
    row('backup.retention_days', backup.retentionDays, ['BACKUP_RETENTION_DAYS']),
    row('backup.concurrency', backup.concurrency, ['BACKUP_CONCURRENCY']),
    row('backup.apply_schedule_on_start', backup.applyScheduleOnStart, ['CAIRN_APPLY_SCHEDULE_ON_START']),
    row('backup.run_on_start', backup.runOnStart, ['RUN_IMMEDIATE_BACKUP'], { fallback: backup.runOnStart ? 'default for this deployment (it backed up at start-up)' : 'default' }),
    row('backup.respawn_protection_hours', backup.respawnProtectionHours, ['RESPAWN_PROTECTION_HOURS']),
    row('backup.force_backup', backup.forceBackup, ['FORCE_BACKUP']),
    // Fingerprints only: recipients are public, identities and passphrases never leave the worker.
    row('encryption.recipients', config.encryption.recipients.map((r) => r.fingerprint).join(', ') || '(off: backups are not encrypted)',
      ['BACKUP_ENCRYPTION_RECIPIENTS', 'BACKUP_ENCRYPTION_PASSPHRASE']),
    row('encryption.identities', config.encryption.identities.map((i) => i.fingerprint).join(', ') || '(none)', ['BACKUP_ENCRYPTION_IDENTITIES', 'BACKUP_ENCRYPTION_PASSPHRASE']),
    row('storage.object_lock', storage.objectLock ? `${storage.objectLock.mode} ${storage.objectLock.days} day(s)` : '(off)', ['BACKUP_LOCK_MODE', 'BACKUP_LOCK_DAYS']),
    row('backup.restore_empty_on_start', backup.restoreEmptyOnStart, ['CAIRN_RESTORE_EMPTY_ON_START']),
    ...config.targets.flatMap((t, i) => targetRows(s, t, i, fileTargets, byUrl)),
    ...Object.values(config.masking).flat().map((r) => ({ setting: r.at, value: `${maskedField(r)} -> ${describeWith(r.with)}`, from: s.describe('CAIRN_CONFIG') ?? 'CAIRN_CONFIG' })),
  ];
}
