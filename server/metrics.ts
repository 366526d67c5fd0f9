/**
 * /metrics in the Prometheus text format. The figures come from the status model (the catalog, or the bucket
 * when the catalog is down), so every worker reports the same truth and nothing is lost on a restart.
 * METRICS lists every series Cairn exports; the alert rules and the dashboard are checked against it.
 */
import type { StatusReport } from '../status/evaluate';

type Kind = 'gauge' | 'counter';
export const METRICS: Record<string, { kind: Kind; help: string }> = {
  cairn_backup_last_success_timestamp_seconds: { kind: 'gauge', help: 'Unix time of the newest successful backup, per target' },
  cairn_backup_last_duration_seconds: { kind: 'gauge', help: 'Dump plus validation time of the newest successful backup' },
  cairn_backup_last_size_bytes: { kind: 'gauge', help: 'Stored size of the newest successful backup' },
  cairn_backup_size_change_percent: { kind: 'gauge', help: 'Size change of the newest backup against the previous one, in percent' },
  cairn_backup_last_attempt_failed: { kind: 'gauge', help: '1 when the most recent backup attempt of the target failed' },
  cairn_backup_failures_7d: { kind: 'gauge', help: 'Failed backups in the last 7 days (absent when only the bucket could be read)' },
  cairn_backup_rpo_objective_seconds: { kind: 'gauge', help: 'The target\'s recovery-point objective' },
  cairn_objective_breach: { kind: 'gauge', help: '1 when the target is out of the named objective (rpo, size-change)' },
  cairn_stored_bytes: { kind: 'gauge', help: 'Bytes of successful, unexpired backups in the bucket' },
  cairn_protected_bytes: { kind: 'gauge', help: 'Bytes of protected backups (ids starting with _)' },
  cairn_drill_last_timestamp_seconds: { kind: 'gauge', help: 'Unix time the newest DR drill started' },
  cairn_drill_last_passed: { kind: 'gauge', help: '1 when the newest DR drill passed' },
  cairn_drill_last_rto_seconds: { kind: 'gauge', help: 'Measured recovery time of the newest DR drill' },
  cairn_drill_rto_objective_seconds: { kind: 'gauge', help: 'The drill\'s recovery-time objective' },
  cairn_drill_last_rpo_seconds: { kind: 'gauge', help: 'Age of the restored data at the newest DR drill (its recovery point)' },
  cairn_restore_last_duration_seconds: { kind: 'gauge', help: 'Wall time of the newest restore' },
  cairn_restore_last_ok: { kind: 'gauge', help: '1 when the newest restore (or validate-only check) succeeded' },
  cairn_restore_last_timestamp_seconds: { kind: 'gauge', help: 'Unix time the newest restore started' },
  cairn_status_from_bucket: { kind: 'gauge', help: '1 when the catalog did not answer and the figures come from the bucket' },
  cairn_status_up: { kind: 'gauge', help: '1 when the status could be read at all' },
};

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class Exposition {
  private readonly series = new Map<string, string[]>();
  add(name: keyof typeof METRICS, value: number | undefined | null, labels: Record<string, string> = {}): void {
    if (value === undefined || value === null || !Number.isFinite(value)) return;
    const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
    this.series.set(name, [...(this.series.get(name) ?? []), `${name}${l ? `{${l}}` : ''} ${value}`]);
  }
  text(): string {
    return [...this.series.entries()].map(([name, lines]) => `# HELP ${name} ${METRICS[name]!.help}\n# TYPE ${name} ${METRICS[name]!.kind}\n${lines.join('\n')}\n`).join('');
  }
}

const sec = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function renderMetrics(r: StatusReport | undefined): string {
  const m = new Exposition();
  m.add('cairn_status_up', r ? 1 : 0);
  if (!r) return m.text();
  m.add('cairn_status_from_bucket', r.source === 'bucket' ? 1 : 0);
  for (const t of r.targets) {
    const labels = { target: t.target, type: t.type };
    m.add('cairn_backup_last_success_timestamp_seconds', t.lastSuccess ? t.lastSuccess.at.valueOf() / 1000 : 0, labels);
    m.add('cairn_backup_last_duration_seconds', sec(t.lastSuccess?.durationMs), labels);
    m.add('cairn_backup_last_size_bytes', t.lastSuccess?.sizeBytes, labels);
    m.add('cairn_backup_size_change_percent', t.sizeChange?.percent, labels);
    m.add('cairn_backup_last_attempt_failed', t.lastAttempt ? Number(t.lastAttempt.status === 'failed') : undefined, labels);
    m.add('cairn_backup_failures_7d', t.failures7d, labels);
    m.add('cairn_backup_rpo_objective_seconds', t.rpoObjectiveMs / 1000, labels);
    for (const kind of ['rpo', 'size-change'] as const) {
      m.add('cairn_objective_breach', Number(t.breaches.some((b) => b.kind === kind)), { ...labels, objective: kind });
    }
    m.add('cairn_stored_bytes', t.storedBytes, labels);
    m.add('cairn_protected_bytes', t.protectedBytes, labels);
  }
  const d = r.drills[0];
  if (d) {
    m.add('cairn_drill_last_timestamp_seconds', d.at.valueOf() / 1000);
    m.add('cairn_drill_last_passed', Number(d.passed));
    m.add('cairn_drill_last_rto_seconds', d.rtoMs / 1000);
    m.add('cairn_drill_rto_objective_seconds', d.rtoObjectiveMs / 1000);
    m.add('cairn_drill_last_rpo_seconds', d.rpoMs / 1000);
  }
  if (r.lastRestore) {
    m.add('cairn_restore_last_duration_seconds', r.lastRestore.durationMs / 1000);
    m.add('cairn_restore_last_ok', Number(r.lastRestore.ok));
    m.add('cairn_restore_last_timestamp_seconds', r.lastRestore.at.valueOf() / 1000);
  }
  return m.text();
}
