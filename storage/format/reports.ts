/**
 * Restore and drill reports: JSON (for machines and `cairn catalog rebuild`) and, for drills, Markdown (for people),
 * kept in the bucket under `restores/` and `drills/`. See FORMAT.md.
 */
import type { TargetType } from '../../config/types';
import type { HealthCheck, MaskedField, ProofReport } from '../../engines/engine';
import { parseDocument } from './document';

export const RESTORE_REPORT_FORMAT = 'cairn-restore-report';
export const DRILL_REPORT_FORMAT = 'cairn-drill-report';
export const REPORT_VERSION = 1;

/** What happened to one backup in a restore or a drill. */
export interface TargetRestoreReport {
  target: string;
  type: TargetType;
  backupId: string;
  destination: string;
  /** the destination was made by this restore (a new database or collection) */
  created: boolean;
  forced: boolean;
  validateOnly: boolean;
  status: 'restored' | 'verified' | 'failed';
  /** stored objects read and checked against the manifest before anything was touched */
  verified: string[];
  proof?: ProofReport;
  /** every proof check matched */
  proven: boolean;
  notes: string[];
  /** restored with --mask: what the masking rules replaced in the copy, after its proof */
  masked?: MaskedField[];
  bytesRead: number;
  startedAt: string;
  /** verify, restore and prove, in milliseconds */
  durations: { verifyMs: number; restoreMs: number; proveMs: number; totalMs: number };
  error?: string;
}

export interface RestoreReport {
  format: typeof RESTORE_REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  restoreId: string;
  workflowId: string;
  requested: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  /** where the backups were found: the catalog, or the bucket's manifests when the catalog was unreachable */
  locatedFrom: 'catalog' | 'bucket';
  targets: TargetRestoreReport[];
}

export interface DrillCheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  format: typeof DRILL_REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  drillId: string;
  workflowId: string;
  setId: string;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  reasons: string[];
  /** wall time from the drill's start to each target's validated restore, and to the last one */
  rto: { totalMs: number; objectiveMs: number; withinObjective: boolean; perTarget: Record<string, number> };
  /** age of each restored member's consistency point at drill time; maxMs is the set's RPO */
  rpo: { maxMs: number; perTarget: Record<string, number> };
  targets: TargetRestoreReport[];
  smoke: Record<string, HealthCheck[]>;
  checks: DrillCheckResult[];
  teardown: { destination: string; ok: boolean; detail: string }[];
}

const day = (iso: string) => iso.slice(0, 10).replace(/-/g, '/');
export const RESTORES_PREFIX = 'restores/';
export const DRILLS_PREFIX = 'drills/';
export const restoreReportKey = (r: { restoreId: string; startedAt: string }) => `${RESTORES_PREFIX}${day(r.startedAt)}/${r.restoreId}.json`;
export const drillReportKey = (r: { drillId: string; startedAt: string }, ext: 'json' | 'md') => `${DRILLS_PREFIX}${day(r.startedAt)}/${r.drillId}.${ext}`;

export function parseReport<T extends RestoreReport | DrillReport>(text: string, key: string, format: T['format']): T {
  return parseDocument<T>(text, key, format, [REPORT_VERSION]);
}
