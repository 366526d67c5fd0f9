/** What crosses the Temporal boundary: names, keys, sizes and counts, never secrets or data. */
import type { TargetType } from '../config/types';
import type { ArtifactRecord, Counts, HealthCheck } from '../engines/engine';
import type { StepRetries } from '../workflows/policies';

export interface TargetRef {
  name: string;
  type: TargetType;
}

export interface BackupPlan {
  targets: TargetRef[];
  concurrency: number;
  /** retry policies from the worker's config (CAIRN_RETRY_WINDOW_MINUTES, DB_RETRY_*), for the workflow to use */
  retries?: StepRetries;
}

export interface DumpResult {
  artifacts: ArtifactRecord[];
  sourceVersion: string;
  consistency: Record<string, unknown>;
  counts: Counts;
  /** content fingerprints for proving a restore (see Engine backup results) */
  proof?: Record<string, unknown>;
  startedAt: string;
  durationMs: number;
}

export type { Manifest } from '../storage/format/manifest';

export interface TargetBackupResult {
  target: string;
  type: TargetType;
  backupId?: string;
  status: 'success' | 'failed';
  sizeBytes?: number;
  checksum?: string;
  manifestKey?: string;
  error?: string;
}

/** What pruning did: backups deleted, and backups past retention it had to keep (e.g. under S3 Object Lock). */
export interface PruneResult {
  pruned: string[];
  kept: { backupId: string; reason: string; until?: string }[];
}

export interface DoctorSection {
  name: string;
  kind: 'temporal' | 'storage' | 'catalog' | TargetType;
  checks: HealthCheck[];
}
