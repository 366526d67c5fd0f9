/** The status facts from the catalog: backup_history, dr_drill_history and restore_history. */
import type { Pool } from 'pg';
import type { Target } from '../config/types';
import type { BackupFact, DrillFact, Facts, RestoreFact, TargetFacts } from './facts';

interface Row {
  backup_id: string; target: string; timestamp: Date; size_bytes: string | null; duration_ms: string | null;
  workflow_id: string | null; status: BackupFact['status']; error_message: string | null;
}

const fact = (r: Row): BackupFact => ({
  backupId: r.backup_id, at: r.timestamp, sizeBytes: Number(r.size_bytes ?? 0), status: r.status,
  ...(r.duration_ms !== null ? { durationMs: Number(r.duration_ms) } : {}), ...(r.workflow_id ? { workflowId: r.workflow_id } : {}),
});

export async function factsFromCatalog(pool: Pool, targets: Target[]): Promise<Facts> {
  const names = targets.map((t) => t.name);
  const q = async <T extends object>(sql: string) => (await pool.query<T>(sql, [names])).rows;
  const successes = await q<Row & { n: string }>(`SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY target ORDER BY timestamp DESC, backup_id DESC) AS n FROM backup_history
      WHERE target = ANY($1) AND status = 'success' AND expired_at IS NULL) x WHERE n <= 2 ORDER BY timestamp DESC`);
  const last = await q<Row>(`SELECT DISTINCT ON (target) * FROM backup_history WHERE target = ANY($1)
      ORDER BY target, timestamp DESC, backup_id DESC`);
  const failures = await q<{ target: string; n: string }>(`SELECT target, count(*) AS n FROM backup_history
      WHERE target = ANY($1) AND status = 'failed' AND timestamp > now() - interval '7 days' GROUP BY target`);
  const stored = await q<{ target: string; total: string; protected: string }>(`SELECT target, coalesce(sum(size_bytes), 0) AS total,
      coalesce(sum(size_bytes) FILTER (WHERE backup_id LIKE '\\_%'), 0) AS protected FROM backup_history
      WHERE target = ANY($1) AND status = 'success' AND expired_at IS NULL GROUP BY target`);
  const history = await q<Row>(`SELECT * FROM backup_history WHERE target = ANY($1) AND timestamp > now() - interval '30 days'
      AND status <> 'running' ORDER BY timestamp`);

  const perTarget = targets.map((t): TargetFacts => {
    const lastRow = last.find((r) => r.target === t.name);
    const s = stored.find((r) => r.target === t.name);
    return {
      target: t.name, type: t.type,
      successes: successes.filter((r) => r.target === t.name).map(fact),
      ...(lastRow ? { lastAttempt: { ...fact(lastRow), ...(lastRow.error_message ? { error: lastRow.error_message } : {}) } } : {}),
      failures7d: Number(failures.find((r) => r.target === t.name)?.n ?? 0),
      storedBytes: Number(s?.total ?? 0), protectedBytes: Number(s?.protected ?? 0),
      history30d: history.filter((r) => r.target === t.name).map(fact),
    };
  });

  const drills = (await pool.query<{ drill_id: string; workflow_id: string; started_at: Date; passed: boolean; rto_ms: string; rto_objective_ms: string;
    rpo_ms: string; reasons: string; report: { rto?: { perTarget?: Record<string, number> } } }>(
    'SELECT * FROM dr_drill_history ORDER BY started_at DESC LIMIT 10')).rows.map((d): DrillFact => ({
    drillId: d.drill_id, workflowId: d.workflow_id, at: d.started_at, passed: d.passed, rtoMs: Number(d.rto_ms),
    rtoObjectiveMs: Number(d.rto_objective_ms), rpoMs: Number(d.rpo_ms), reasons: d.reasons, rtoPerTarget: d.report?.rto?.perTarget ?? {},
  }));
  const restore = (await pool.query<{ restore_id: string; workflow_id: string; started_at: Date; ok: boolean; duration_ms: string }>(
    'SELECT restore_id, workflow_id, started_at, ok, duration_ms FROM restore_history ORDER BY started_at DESC LIMIT 1')).rows[0];
  const lastRestore: RestoreFact | undefined = restore
    ? { restoreId: restore.restore_id, workflowId: restore.workflow_id, at: restore.started_at, ok: restore.ok, durationMs: Number(restore.duration_ms) }
    : undefined;
  return { source: 'catalog', targets: perTarget, drills, ...(lastRestore ? { lastRestore } : {}) };
}
