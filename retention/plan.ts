/** A prune plan: for each target, every live backup and whether it stays (with every rule that keeps it) or goes. */
import type { CairnConfig, Target } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import { liveBackups } from '../catalog/retention';
import { isProtectedId } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { markedProtected, newestCompleteSetMembers } from './bucket';
import { decide, describeRules } from './policy';
import { triggerOf } from './trigger';

export interface PlannedBackup {
  backupId: string;
  at: string;
  trigger: 'scheduled' | 'manual';
  keep: boolean;
  reasons: string[];
}

export interface TargetPlan {
  target: string;
  type: Target['type'];
  /** the rules applied, in words */
  policy: { scheduled: string; manual: string };
  backups: PlannedBackup[];
}

export function policyFor(config: CairnConfig, target: string) {
  return config.retention.byTarget[target] ?? config.retention.defaults;
}

export async function planPrune(config: CairnConfig, store: BackupStore, catalog: Catalog, targetNames: string[], now = new Date()): Promise<TargetPlan[]> {
  const targets = targetNames.length ? config.targets.filter((t) => targetNames.includes(t.name)) : config.targets;
  const inNewestSet = await newestCompleteSetMembers(store);
  const plans: TargetPlan[] = [];
  for (const t of targets) {
    const rows = await liveBackups(catalog.pool, t.name);
    const marked = await markedProtected(store, `${t.type}/${t.name}/`);
    const candidates = rows.map((r) => ({
      backupId: r.backup_id, at: r.timestamp, trigger: r.trigger ?? triggerOf(r.workflow_id, config.backup.scheduleId),
      protected: isProtectedId(r.backup_id) || r.protected_at !== null || marked.has(r.backup_id),
    }));
    const policy = policyFor(config, t.name);
    const decisions = decide(candidates, policy, { newestGood: rows.find((r) => !isProtectedId(r.backup_id))?.backup_id, newestSetMembers: inNewestSet }, now);
    plans.push({
      target: t.name, type: t.type, policy: { scheduled: describeRules(policy.scheduled), manual: describeRules(policy.manual) },
      backups: decisions.map((d) => ({ backupId: d.backupId, at: d.at.toISOString(), trigger: d.trigger, keep: d.keep, reasons: d.reasons })),
    });
  }
  return plans;
}

export const doomed = (plans: TargetPlan[]): string[] => plans.flatMap((p) => p.backups.filter((b) => !b.keep).map((b) => b.backupId));
