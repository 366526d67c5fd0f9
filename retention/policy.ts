/**
 * Which backups a target keeps, and why: restic's `forget` policy (internal/restic/snapshot_policy.go,
 * ApplyPolicy), applied separately to scheduled and manual backups, then overridden by the guards no policy
 * may break. Pure: the same inputs always give the same answer, so `cairn prune --dry-run` shows exactly
 * what a real prune deletes.
 */
import type { BackupTrigger, KeepRules, RetentionPolicy } from '../config/retention';

export interface Candidate {
  backupId: string;
  at: Date;
  trigger: BackupTrigger;
  protected: boolean;
}

export interface Decision extends Candidate {
  keep: boolean;
  /** every rule that keeps it (empty when it goes) */
  reasons: string[];
}

export interface Guards {
  /** the target's newest successful backup: never deleted, however old */
  newestGood?: string;
  /** members of the newest complete backup set: a whole-platform restore needs every one of them */
  newestSetMembers: ReadonlySet<string>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Calendar buckets in UTC (restic uses local time; a server's zone should not change what is kept). */
const BUCKETS: [keyof KeepRules, string, (d: Date) => string][] = [
  ['hourly', 'hourly', (d) => d.toISOString().slice(0, 13)],
  ['daily', 'daily', (d) => d.toISOString().slice(0, 10)],
  ['weekly', 'weekly', isoWeek],
  ['monthly', 'monthly', (d) => d.toISOString().slice(0, 7)],
  ['yearly', 'yearly', (d) => String(d.getUTCFullYear())],
];

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7)); // the Thursday of its week decides the year
  const week = Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export function describeRules(r: KeepRules): string {
  const parts = [r.withinDays ? `within ${r.withinDays}d of the newest` : '', ...(['last', ...BUCKETS.map(([f]) => f)] as (keyof KeepRules)[])
    .filter((f) => f !== 'withinDays' && r[f] > 0).map((f) => `${f} ${r[f]}`)].filter(Boolean);
  return parts.length ? parts.join(', ') : 'keep everything (no rule set)';
}

/** restic's ApplyPolicy over one list: reasons per backup id (an id without reasons goes). */
export function applyRules(list: { backupId: string; at: Date }[], rules: KeepRules, now = new Date()): Map<string, string[]> {
  const sorted = [...list].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.backupId < b.backupId ? 1 : -1));
  const reasons = new Map(sorted.map((b) => [b.backupId, [] as string[]]));
  const counted: [number, string, (d: Date, nr: number) => string][] = [
    [rules.last, 'last', (_d, nr) => String(nr)], ...BUCKETS.map(([f, name, key]) => [rules[f], name, key] as [number, string, (d: Date) => string]),
  ];
  if (!sorted.length) return reasons;
  if (counted.every(([n]) => n === 0) && rules.withinDays === 0) {
    for (const r of reasons.values()) r.push('policy is empty');
    return reasons;
  }
  // "within" counts back from the newest backup that is not in the future, so a stalled schedule never empties a target.
  const latest = Math.max(0, ...sorted.map((b) => b.at.getTime()).filter((t) => t <= now.getTime()));
  const cutoff = new Date(latest);
  cutoff.setUTCDate(cutoff.getUTCDate() - rules.withinDays);
  const left = counted.map(([n]) => n);
  const last: (string | undefined)[] = counted.map(() => undefined);
  sorted.forEach((b, nr) => {
    const why = reasons.get(b.backupId)!;
    if (rules.withinDays > 0 && b.at.getTime() > cutoff.getTime()) why.push(`within ${rules.withinDays}d`);
    counted.forEach(([, name, key], i) => {
      if (left[i]! <= 0) return;
      const val = key(b.at, nr);
      // Like restic, the oldest backup is kept while a bucket still has room: it lengthens the history kept.
      if (val !== last[i] || nr === sorted.length - 1) {
        last[i] = val;
        left[i]!--;
        why.push(name === 'last' ? 'last' : `${name} ${val}`);
      }
    });
  });
  return reasons;
}

/** One target's decisions, newest first: each kind by its own rules, then the guards. */
export function decide(candidates: Candidate[], policy: RetentionPolicy, guards: Guards, now = new Date()): Decision[] {
  const decisions: Decision[] = [];
  for (const trigger of ['scheduled', 'manual'] as const) {
    const mine = candidates.filter((c) => c.trigger === trigger);
    // Protected backups are kept regardless, so they take no slot a regular backup could have.
    const reasons = applyRules(mine.filter((c) => !c.protected), policy[trigger], now);
    for (const c of mine) {
      const why = (reasons.get(c.backupId) ?? []).map((r) => `${trigger} ${r}`);
      if (c.protected) why.unshift('protected');
      if (c.backupId === guards.newestGood) why.push('newest successful backup');
      if (guards.newestSetMembers.has(c.backupId)) why.push('in the newest complete backup set');
      decisions.push({ ...c, keep: why.length > 0, reasons: why });
    }
  }
  return decisions.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.backupId < b.backupId ? 1 : -1));
}
