/** Cairn's configuration, after loading and validation. Secrets live only here, in the worker's memory. */
import type { Compression } from './compression';

export type TargetType = 'postgres' | 'neo4j' | 'qdrant';

export interface PostgresTarget {
  type: 'postgres';
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** content fingerprints at backup time, for proving restores (default on; false: counts only) */
  fingerprint?: boolean;
  /** how the dump is compressed (config/compression.ts); absent: DEFAULT_PG_COMPRESSION */
  compression?: Compression;
  /** where drills restore to; absent: this same server, into a new database named <database>_drill_<stamp> */
  drill?: { host: string; port: number; user: string; password: string };
}

export interface Neo4jTarget {
  type: 'neo4j';
  name: string;
  /** bolt:// or neo4j:// URI */
  uri: string;
  user: string;
  password: string;
  /** the database to export; Community has one user database per instance */
  database: string;
  /**
   * the spare instance restores and drills go to by default (Community has one user database per instance,
   * so a Neo4j restore needs another server); the local stack's second instance
   */
  drill?: { uri: string; user: string; password: string; database: string };
}

export interface QdrantTarget {
  type: 'qdrant';
  name: string;
  /** base URL, e.g. http://127.0.0.1:6333 */
  url: string;
  apiKey?: string;
  /** where drills restore to; absent: this same server, into new collections named <collection>_drill_<stamp> */
  drill?: { url: string; apiKey?: string };
}

export type Target = PostgresTarget | Neo4jTarget | QdrantTarget;

export interface StorageConfig {
  /** BACKUP_DIR: backups go to this directory (an absolute path) instead of the bucket (storage/fs-store.ts) */
  directory?: string;
  endpoint: string;
  region: string;
  bucket: string;
  /** absent (with secretKey): the AWS SDK's default credential chain (IAM role, web identity, profile) */
  accessKey?: string;
  secretKey?: string;
  /** every object key starts with this ('' or a path ending in '/', e.g. 'neo4j-backup/') */
  prefix: string;
  forcePathStyle: boolean;
  /** create the bucket when it does not exist */
  createBucket: boolean;
  /** multipart part size in bytes; an upload holds (queueSize + 1) part buffers */
  partSize: number;
  queueSize: number;
  /** the variables the operator set for the credentials, bucket and endpoint, for hints in error messages */
  setBy?: { credentials: string; bucket: string; endpoint: string };
  /** S3 Object Lock retention for every object written (BACKUP_LOCK_MODE, BACKUP_LOCK_DAYS); absent: none */
  objectLock?: import('./encryption').ObjectLockConfig;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** base URL of the Web UI, for links printed by the CLI */
  uiUrl: string;
  tls?: { certFile?: string; keyFile?: string; caFile?: string; serverName?: string };
}

export interface MetadataConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface BackupPolicy {
  /** cron expression, UTC */
  schedule: string;
  scheduleId: string;
  retentionDays: number;
  /** how many targets a cycle backs up at once */
  concurrency: number;
  /** apply the schedule when the worker starts */
  applyScheduleOnStart: boolean;
  /** run one backup cycle when the worker starts (RUN_IMMEDIATE_BACKUP) */
  runOnStart: boolean;
  /** at start-up, skip a target whose last successful backup is younger than this (0: never skip) */
  respawnProtectionHours: number;
  /** at start-up, back up even targets respawn protection would skip */
  forceBackup: boolean;
  /** at start-up, restore each empty target from its latest backup (CAIRN_RESTORE_EMPTY_ON_START, RESTORE_FROM_S3_ON_STARTUP) */
  restoreEmptyOnStart: boolean;
  /**
   * transient failures are retried until the waits add up to windowMinutes; the first wait is
   * initialDelaySeconds (absent: each step's own) and there are at least minAttempts (workflows/policies.ts)
   */
  retry: { windowMinutes: number; initialDelaySeconds?: number; minAttempts?: number };
}

export interface CairnConfig {
  drill: import('./drill').DrillConfig;
  /** per target, what `cairn restore --mask` overwrites in a restored copy (config/masking.ts) */
  masking: import('./masking').MaskingConfig;
  ops: import('./ops').OpsConfig;
  retention: import('./retention').RetentionConfig;
  temporal: TemporalConfig;
  storage: StorageConfig;
  metadata: MetadataConfig;
  targets: Target[];
  backup: BackupPolicy;
  encryption: import('./encryption').EncryptionConfig;
}
