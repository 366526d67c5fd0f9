/** When a backup's data was read, from what its engine recorded, for backup-set skew and a drill's RPO. */
import type { Manifest } from '../storage/format/manifest';

export function consistencyAt(m: Pick<Manifest, 'consistency' | 'createdAt'>): string | undefined {
  const c = m.consistency ?? {};
  // PostgreSQL: the exported snapshot's time; Neo4j: the read transaction's start; Qdrant: the oldest snapshot.
  const snapshots = Array.isArray(c.snapshots) ? (c.snapshots as { creationTime?: string | null }[]).map((s) => s.creationTime).filter(Boolean) as string[] : [];
  const candidates = [c.at, c.transactionStartedAt, ...snapshots.sort()].filter((v): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v)));
  return candidates[0] ? new Date(Date.parse(candidates[0])).toISOString() : (m.createdAt || undefined);
}
