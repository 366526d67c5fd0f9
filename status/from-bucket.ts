/**
 * The status facts from the bucket alone, for when the catalog does not answer: a backup exists when its
 * manifest does; sizes come from the listing, the newest backup's duration from its manifest. Failed backups
 * leave nothing in the bucket, so their count is unknown here.
 */
import type { Target } from '../config/types';
import { parseManifest } from '../storage/format/manifest';
import { DRILL_REPORT_FORMAT, DRILLS_PREFIX, parseReport, RESTORE_REPORT_FORMAT, RESTORES_PREFIX, type DrillReport, type RestoreReport } from '../storage/format/reports';
import { parseBackupId } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { isProtectedId, type BackupFact, type DrillFact, type Facts, type TargetFacts } from './facts';

const DAY = 86_400_000;

async function targetFacts(store: BackupStore, t: Target, now: number): Promise<TargetFacts> {
  const objects = await store.list(`${t.type}/${t.name}/`);
  const byId = new Map<string, { size: number; manifest?: string }>();
  for (const o of objects) {
    const name = o.key.slice(o.key.lastIndexOf('/') + 1);
    const id = name.split('.')[0]!;
    if (parseBackupId(id.replace(/^_/, ''))?.target !== t.name) continue;
    const entry = byId.get(id) ?? { size: 0 };
    if (name.endsWith('.manifest.json')) entry.manifest = o.key;
    else if (!name.endsWith('.sha256')) entry.size += o.size;
    byId.set(id, entry);
  }
  const complete: (BackupFact & { manifest: string })[] = [...byId.entries()].filter(([, e]) => e.manifest)
    .map(([id, e]) => ({ backupId: id, at: parseBackupId(id.replace(/^_/, ''))!.at, sizeBytes: e.size, status: 'success' as const, manifest: e.manifest! }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  const newest = complete[0];
  if (newest) {
    const m = parseManifest(await store.getText(newest.manifest), newest.manifest);
    Object.assign(newest, { durationMs: m.durations.totalMs, workflowId: m.workflowId });
  }
  const plain = complete.map(({ manifest: _m, ...f }) => f);
  return {
    target: t.name, type: t.type, successes: plain.slice(0, 2), ...(plain[0] ? { lastAttempt: plain[0] } : {}), failures7d: null,
    storedBytes: plain.reduce((n, f) => n + f.sizeBytes, 0),
    protectedBytes: plain.filter((f) => isProtectedId(f.backupId)).reduce((n, f) => n + f.sizeBytes, 0),
    history30d: plain.filter((f) => now - f.at.getTime() < 30 * DAY).reverse(),
  };
}

async function newestReports<T extends DrillReport | RestoreReport>(store: BackupStore, prefix: string, format: T['format'], n: number): Promise<T[]> {
  const keys = (await store.list(prefix)).map((o) => o.key).filter((k) => k.endsWith('.json')).sort().reverse().slice(0, n);
  const out: T[] = [];
  for (const key of keys) {
    try {
      out.push(parseReport<T>(await store.getText(key), key, format));
    } catch {
      // An unreadable report is skipped here; `cairn catalog rebuild` names it.
    }
  }
  return out;
}

export async function factsFromBucket(store: BackupStore, targets: Target[], catalogError: string, now = Date.now()): Promise<Facts> {
  const perTarget = [];
  for (const t of targets) perTarget.push(await targetFacts(store, t, now));
  const drills = (await newestReports<DrillReport>(store, DRILLS_PREFIX, DRILL_REPORT_FORMAT, 10)).map((d): DrillFact => ({
    drillId: d.drillId, workflowId: d.workflowId, at: new Date(d.startedAt), passed: d.passed, rtoMs: d.rto.totalMs,
    rtoObjectiveMs: d.rto.objectiveMs, rpoMs: d.rpo.maxMs, reasons: d.reasons.join('; '), rtoPerTarget: d.rto.perTarget,
  }));
  const [r] = await newestReports<RestoreReport>(store, RESTORES_PREFIX, RESTORE_REPORT_FORMAT, 1);
  return {
    source: 'bucket', catalogError, targets: perTarget, drills,
    ...(r ? { lastRestore: { restoreId: r.restoreId, workflowId: r.workflowId, at: new Date(r.startedAt), ok: r.ok, durationMs: Date.parse(r.finishedAt) - Date.parse(r.startedAt) } } : {}),
  };
}
