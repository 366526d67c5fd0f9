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
  startedAt: string;
  durationMs: number;
}

export interface Manifest {
  format: 'cairn-backup-manifest';
  version: 1;
  backupId: string;
  type: TargetType;
  target: string;
  workflowId: string;
  createdAt: string;
  sourceVersion: string;
  consistency: Record<string, unknown>;
  counts: Counts;
  artifacts: (ArtifactRecord & { sidecarKey: string })[];
  totalSizeBytes: number;
  /** sha256 of the artifact, or for several artifacts the sha256 of their sha256sum-style listing */
  checksum: string;
  durations: { dumpMs: number; validateMs: number; totalMs: number };
  validation: { checkedAt: string; checks: string[] };
}

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
