/** What restore and drill activities pass through Temporal: names, keys and sizes, never secrets or data. */
import type { TargetType } from '../config/types';
import type { ProofReport, RestoreOutcome } from '../engines/engine';

export interface RestoreRequest {
  type: 'all' | TargetType;
  target?: string;
  backupId?: string;
  setId?: string;
  into?: string;
  validateOnly: boolean;
  force: boolean;
  /** apply the target's masking rules to the copy (refused for production destinations and targets without rules) */
  mask?: boolean;
  /** UTC YYYYMMDD_HHMMSS of the restore's start: default destination names are made from it */
  stamp: string;
}

/** One backup to restore, and where it goes; every activity rebuilds the destination from these fields. */
export interface RestoreItem {
  target: string;
  type: TargetType;
  backupId: string;
  manifestKey: string;
  into?: string;
  stamp: string;
  purpose: 'restore' | 'drill';
  destination: string;
  destinationKey: string;
  created: boolean;
  totalBytes: number;
  /** when the backup's data was read (its consistency point) */
  consistencyAt?: string;
}

export interface RestorePlan {
  items: RestoreItem[];
  locatedFrom: 'catalog' | 'bucket';
  setId?: string;
}

export interface RestoreTargetInput {
  version: 1;
  item: RestoreItem;
  validateOnly: boolean;
  force: boolean;
  jobs?: number;
  keepOwnership?: boolean;
  /** mask the copy after its proof (config/masking.ts) */
  mask?: boolean;
}

export interface VerifyResult { checks: string[]; bytesRead: number; ms?: number }
/** `verified` when the step verified the backup itself (restoreToDestination with verify) */
export interface RestoreStepResult { outcome: RestoreOutcome; bytesRead: number; verified?: VerifyResult }
export type { ProofReport };
