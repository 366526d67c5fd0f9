/**
 * What the status model is computed from, read either from the catalog or, when it does not answer, from the
 * bucket's manifests and reports. Only names, times, sizes and ids: nothing here may hold a secret.
 */
import type { TargetType } from '../config/types';

export interface BackupFact {
  backupId: string;
  at: Date;
  sizeBytes: number;
  /** unknown for older backups read from a bucket listing */
  durationMs?: number;
  workflowId?: string;
  status: 'success' | 'failed' | 'running';
}

export interface TargetFacts {
  target: string;
  type: TargetType;
  /** successful, unexpired backups, newest first (at least the newest two when there are two) */
  successes: BackupFact[];
  /** the most recent attempt of any outcome */
  lastAttempt?: BackupFact & { error?: string };
  /** failed backups in the last 7 days; null when unknowable (the bucket keeps nothing of a failed backup) */
  failures7d: number | null;
  storedBytes: number;
  /**
   * bytes of protected backups. Protection is being built separately; until then a backup whose id starts
   * with '_' counts as protected, the convention of the deployments Cairn replaces.
   */
  protectedBytes: number;
  /** every backup of the last 30 days, oldest first, for the status page's chart */
  history30d: BackupFact[];
}

export interface DrillFact {
  drillId: string;
  workflowId: string;
  at: Date;
  passed: boolean;
  rtoMs: number;
  rtoObjectiveMs: number;
  rpoMs: number;
  reasons: string;
  rtoPerTarget: Record<string, number>;
}

export interface RestoreFact {
  restoreId: string;
  workflowId: string;
  at: Date;
  ok: boolean;
  durationMs: number;
}

export interface Facts {
  source: 'catalog' | 'bucket';
  /** why the catalog was not used */
  catalogError?: string;
  targets: TargetFacts[];
  drills: DrillFact[];
  lastRestore?: RestoreFact;
}

export const isProtectedId = (backupId: string) => backupId.startsWith('_');
