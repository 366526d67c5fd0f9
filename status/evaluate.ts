/**
 * The status rules, as a pure function of the facts: a target is out of its objective when its newest
 * successful backup is older than its RPO (or it has none), or when that backup's size differs from the
 * previous one's by more than the allowed percentage.
 */
import type { TargetType } from '../config/types';
import type { OpsConfig } from '../config/ops';
import type { BackupFact, DrillFact, Facts, RestoreFact } from './facts';

export type BreachKind = 'rpo' | 'size-change';

export interface Breach {
  target: string;
  type: TargetType;
  kind: BreachKind;
  /** one sentence for a person: what is wrong, with the numbers */
  detail: string;
}

export interface TargetStatus {
  target: string;
  type: TargetType;
  rpoObjectiveMs: number;
  lastSuccess?: BackupFact & { ageMs: number };
  sizeChange?: { previousBytes: number; percent: number; flagged: boolean };
  lastAttempt?: BackupFact & { error?: string };
  failures7d: number | null;
  nextRunAt?: string;
  lastDrill?: { drillId: string; workflowId: string; at: string; passed: boolean; rtoMs: number; targetRtoMs?: number };
  storedBytes: number;
  protectedBytes: number;
  history30d: BackupFact[];
  breaches: Breach[];
}

export interface StatusReport {
  generatedAt: string;
  source: 'catalog' | 'bucket';
  catalogError?: string;
  nextRunAt?: string;
  scheduleError?: string;
  ok: boolean;
  targets: TargetStatus[];
  drills: DrillFact[];
  lastRestore?: RestoreFact;
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

export function evaluate(facts: Facts, ops: Pick<OpsConfig, 'rpoMs' | 'sizeChangePercent'>, now: number, schedule: { nextRunAt?: string; error?: string } = {}): StatusReport {
  const lastDrill = facts.drills[0];
  const targets = facts.targets.map((t): TargetStatus => {
    const rpo = ops.rpoMs[t.target] ?? 25 * 3_600_000;
    const [newest, previous] = t.successes;
    const breaches: Breach[] = [];
    const ageMs = newest ? now - newest.at.getTime() : undefined;
    if (ageMs === undefined) breaches.push({ target: t.target, type: t.type, kind: 'rpo', detail: `${t.type}/${t.target} has no successful backup (objective: one within ${hours(rpo)})` });
    else if (ageMs > rpo) breaches.push({ target: t.target, type: t.type, kind: 'rpo', detail: `${t.type}/${t.target}'s newest backup ${newest!.backupId} is ${hours(ageMs)} old, past its RPO objective of ${hours(rpo)}` });
    let sizeChange: TargetStatus['sizeChange'];
    if (newest && previous && previous.sizeBytes > 0) {
      const percent = Math.round(((newest.sizeBytes - previous.sizeBytes) / previous.sizeBytes) * 1000) / 10;
      sizeChange = { previousBytes: previous.sizeBytes, percent, flagged: Math.abs(percent) > ops.sizeChangePercent };
      if (sizeChange.flagged) {
        breaches.push({ target: t.target, type: t.type, kind: 'size-change', detail: `${t.type}/${t.target}'s backup ${newest.backupId} is ${newest.sizeBytes} bytes, ${percent > 0 ? '+' : ''}${percent}% against the previous ${previous.sizeBytes} bytes (limit ±${ops.sizeChangePercent}%)` });
      }
    }
    return {
      target: t.target, type: t.type, rpoObjectiveMs: rpo,
      ...(newest ? { lastSuccess: { ...newest, ageMs: ageMs! } } : {}), ...(sizeChange ? { sizeChange } : {}),
      ...(t.lastAttempt ? { lastAttempt: t.lastAttempt } : {}), failures7d: t.failures7d,
      ...(schedule.nextRunAt ? { nextRunAt: schedule.nextRunAt } : {}),
      ...(lastDrill ? { lastDrill: {
        drillId: lastDrill.drillId, workflowId: lastDrill.workflowId, at: lastDrill.at.toISOString(), passed: lastDrill.passed, rtoMs: lastDrill.rtoMs,
        ...(lastDrill.rtoPerTarget[t.target] !== undefined ? { targetRtoMs: lastDrill.rtoPerTarget[t.target] } : {}),
      } } : {}),
      storedBytes: t.storedBytes, protectedBytes: t.protectedBytes, history30d: t.history30d, breaches,
    };
  });
  return {
    generatedAt: new Date(now).toISOString(), source: facts.source, ...(facts.catalogError ? { catalogError: facts.catalogError } : {}),
    ...(schedule.nextRunAt ? { nextRunAt: schedule.nextRunAt } : {}), ...(schedule.error ? { scheduleError: schedule.error } : {}),
    ok: targets.every((t) => t.breaches.length === 0), targets, drills: facts.drills, ...(facts.lastRestore ? { lastRestore: facts.lastRestore } : {}),
  };
}
