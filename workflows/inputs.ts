/** Typed, versioned workflow inputs and results. `{}` is always a valid input. */
import type { DoctorSection, TargetBackupResult } from '../activities/types';

export interface BackupCycleInput {
  /** input schema version; absent means 1 */
  version?: 1;
  /** target names to back up; absent or empty means every configured target */
  targets?: string[];
  /** protect every backup this cycle takes (e.g. before a risky migration): retention never deletes it */
  protect?: boolean;
}

export interface BackupCycleResult {
  version: 1;
  results: TargetBackupResult[];
  /** backups deleted because they were past the retention window */
  pruned: string[];
  /** backups past the retention window that pruning kept, and why (e.g. 'ObjectLocked until <date>') */
  kept?: { backupId: string; reason: string }[];
  /** why pruning failed, when it did (the backups themselves may still have succeeded) */
  pruneError?: string;
  /** the backup set this cycle recorded (sets/...json in the bucket); complete when every target succeeded */
  setId?: string;
  setComplete?: boolean;
  setError?: string;
}

export interface DoctorInput {
  version?: 1;
}

export interface DoctorReport {
  version: 1;
  ok: boolean;
  sections: DoctorSection[];
}

export type TargetPhase = 'waiting' | 'starting' | 'dumping' | 'validating' | 'committing' | 'success' | 'failed';

export interface CycleProgress {
  targets: { target: string; type: string; phase: TargetPhase; backupId?: string; error?: string }[];
}
