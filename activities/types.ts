/** What crosses the Temporal boundary: names, keys, sizes and counts, never secrets or data. */
import type { TargetType } from '../config/types';
import type { ArtifactRecord, Counts, HealthCheck } from '../engines/engine';

export interface TargetRef {
  name: string;
  type: TargetType;
}

export interface BackupPlan {
  targets: TargetRef[];
  concurrency: number;
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

export interface DoctorSection {
  name: string;
  kind: 'temporal' | 'storage' | 'catalog' | TargetType;
  checks: HealthCheck[];
}
