/** Typed, versioned inputs and results of restoreBackup and drDrill (plain JSON: the Temporal CLI and UI can start them). */
import type { TargetRestoreReport } from '../storage/format/reports';

export interface RestoreBackupInput {
  /** input schema version; absent means 1 */
  version?: 1;
  type: 'all' | 'postgres' | 'neo4j' | 'qdrant';
  target?: string;
  backupId?: string;
  setId?: string;
  /** where to restore instead of a new destination (engine-specific: database, collection, or configured target) */
  into?: string;
  /** read and verify everything, restore nothing */
  validateOnly?: boolean;
  /** replace a non-empty destination */
  force?: boolean;
  /** PostgreSQL: parallel pg_restore jobs */
  jobs?: number;
  /** PostgreSQL: keep owners and privileges (default: --no-owner --no-acl) */
  keepOwnership?: boolean;
  /** apply the target's masking rules (config file, masking:) to the copy after its proof; never into production */
  mask?: boolean;
}

export interface RestoreBackupResult {
  version: 1;
  ok: boolean;
  restoreId: string;
  reportKey: string;
  locatedFrom: 'catalog' | 'bucket';
  setId?: string;
  targets: TargetRestoreReport[];
  catalogError?: string;
}

export type RestorePhase = 'planned' | 'verifying' | 'verified' | 'restoring' | 'proving' | 'masking' | 'restored' | 'failed';

export interface RestoreProgress {
  targets: { target: string; type: string; backupId: string; destination: string; phase: RestorePhase; workflowId: string; totalBytes: number; error?: string }[];
}

export interface DrDrillInput {
  version?: 1;
  /** a backup set to drill; absent: the latest complete one */
  setId?: string;
}
