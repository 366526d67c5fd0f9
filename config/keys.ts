/**
 * Every environment variable (and top-level config-file key) the config loader reads. Deployment files
 * (docker-compose.yml, Helm values, .env files) are checked against this list, so a misspelt variable,
 * which the loader would silently ignore in favour of its default, fails a test instead.
 * test/compose.test.ts checks that this list and the .ts files under config/ agree in both directions. Besides these,
 * every <NAME>_DATABASE_URL is read as a PostgreSQL target (config/vocabulary/clara.ts).
 */
import { VOCABULARY_KEYS } from './vocabulary';

export const KNOWN_ENV_KEYS = [
  'CAIRN_CONFIG',
  // The local stack's ports, from which the defaults of the addresses below are derived
  'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'MINIO_PORT', 'NEO4J_BOLT_PORT', 'QDRANT_PORT',
  // Temporal
  'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_UI_URL',
  'TEMPORAL_TLS', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE', 'TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_SERVER_NAME',
  // Object storage
  'MINIO_ENDPOINT', 'MINIO_ACCESS_KEY', 'MINIO_ACCESS_KEY_FILE', 'MINIO_SECRET_KEY', 'MINIO_SECRET_KEY_FILE',
  'BACKUP_BUCKET', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'S3_CREATE_BUCKET', 'S3_PART_SIZE_MB', 'S3_UPLOAD_QUEUE_SIZE',
  // backup_history catalog
  'CAIRN_METADATA_HOST', 'CAIRN_METADATA_PORT', 'CAIRN_METADATA_USER', 'CAIRN_METADATA_PASSWORD',
  'CAIRN_METADATA_PASSWORD_FILE', 'CAIRN_METADATA_DATABASE',
  // Targets from the environment
  'CAIRN_TARGET_TYPES',
  'POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE', 'POSTGRES_DB', 'POSTGRES_DATABASES',
  'CAIRN_PG_FINGERPRINT', 'CAIRN_PG_COMPRESSION',
  'NEO4J_NAME', 'NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_PASSWORD_FILE', 'NEO4J_DATABASE',
  'NEO4J_DRILL_BOLT_PORT', 'NEO4J_DRILL_URI', 'NEO4J_DRILL_USER', 'NEO4J_DRILL_PASSWORD', 'NEO4J_DRILL_PASSWORD_FILE', 'NEO4J_DRILL_DATABASE',
  'QDRANT_NAME', 'QDRANT_URL', 'QDRANT_API_KEY', 'QDRANT_API_KEY_FILE',
  // Backup policy
  // The monthly DR drill
  'DRILL_SCHEDULE', 'DRILL_SCHEDULE_ID', 'DRILL_RTO_OBJECTIVE_MINUTES', 'DRILL_MASK',
  'BACKUP_SCHEDULE', 'BACKUP_SCHEDULE_ID', 'BACKUP_RETENTION_DAYS', 'BACKUP_CONCURRENCY', 'CAIRN_APPLY_SCHEDULE_ON_START',
  'BACKUP_PREFIX',
  // Start-up backup and its respawn protection
  'RUN_IMMEDIATE_BACKUP', 'RESPAWN_PROTECTION_HOURS', 'FORCE_BACKUP',
  // Restoring empty targets from their latest backup when the worker starts
  'CAIRN_RESTORE_EMPTY_ON_START',
  // The deployments Cairn replaces, in their own words (config/vocabulary/)
  ...VOCABULARY_KEYS,
  // Retrying through outages (DB_RETRY_* as the Clara backup service named them)
  'CAIRN_RETRY_WINDOW_MINUTES', 'DB_RETRY_ATTEMPTS', 'DB_RETRY_DELAY',
  // Operations (config/ops.ts): objectives, the HTTP server and its keys, webhooks
  'OBJECTIVE_RPO_HOURS', 'OBJECTIVE_RPO_HOURS_BY_TARGET', 'OBJECTIVE_SIZE_CHANGE_PERCENT', 'OBJECTIVE_CHECK_SCHEDULE', 'OBJECTIVE_CHECK_SCHEDULE_ID',
  'CAIRN_HTTP_HOST', 'CAIRN_HTTP_PORT', 'CAIRN_SDK_METRICS_PORT', 'CAIRN_API_KEYS', 'CAIRN_API_KEYS_FILE', 'CAIRN_STATUS_KEYS', 'CAIRN_STATUS_KEYS_FILE',
  'CAIRN_WEBHOOKS', 'CAIRN_WEBHOOKS_FILE', 'CAIRN_NOTIFY_ON_SUCCESS',
  // Retention and pruning (config/retention.ts)
  'BACKUP_RETENTION_MANUAL_DAYS', 'BACKUP_RETENTION_SCHEDULED_DAYS', 'BACKUP_KEEP_LAST', 'BACKUP_KEEP_HOURLY', 'BACKUP_KEEP_DAILY',
  'BACKUP_KEEP_WEEKLY', 'BACKUP_KEEP_MONTHLY', 'BACKUP_KEEP_YEARLY', 'PRUNE_SCHEDULE', 'PRUNE_SCHEDULE_ID', 'PRUNE_AFTER_BACKUP', 'PRUNE_ORPHAN_GRACE_HOURS',
  // Client-side encryption (age) and S3 Object Lock (config/encryption.ts)
  'BACKUP_ENCRYPTION_RECIPIENTS', 'BACKUP_ENCRYPTION_RECIPIENTS_FILE', 'BACKUP_ENCRYPTION_PASSPHRASE', 'BACKUP_ENCRYPTION_PASSPHRASE_FILE',
  'BACKUP_ENCRYPTION_IDENTITIES', 'BACKUP_ENCRYPTION_IDENTITIES_FILE', 'BACKUP_LOCK_MODE', 'BACKUP_LOCK_DAYS',
] as const;

export type KnownEnvKey = (typeof KNOWN_ENV_KEYS)[number];
