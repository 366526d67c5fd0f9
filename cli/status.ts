/**
 * `cairn status [--json]`: one block per target against its objectives. Exits 1 when any target is out of its
 * objective (so cron or a monitoring agent can alert on it), 0 otherwise.
 */
import type { Client } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { collectStatus } from '../status/collect';
import type { StatusReport, TargetStatus } from '../status/evaluate';
import { bytes, ms } from './format';

export async function statusCommand(config: CairnConfig, opts: { json: boolean }): Promise<number> {
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const temporal: Client | undefined = await connectClient(config.temporal).catch(() => undefined);
  try {
    const report = await collectStatus({ config, catalog, store, ...(temporal ? { temporal } : {}) });
    console.log(opts.json ? JSON.stringify(report, null, 2) : renderStatus(report));
    return report.ok ? 0 : 1;
  } finally {
    await temporal?.connection.close();
    store.destroy();
    await catalog.close();
  }
}

const when = (iso: string | Date) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const age = (msAgo: number) => (msAgo < 3_600_000 ? `${Math.round(msAgo / 60_000)} min` : `${(msAgo / 3_600_000).toFixed(1)} h`);

export function renderStatus(r: StatusReport): string {
  const lines: string[] = [];
  if (r.source === 'bucket') lines.push(`NOTE: ${r.catalogError}; this status is read from the bucket's manifests (failure counts are unknown)`, '');
  for (const t of r.targets) lines.push(...renderTarget(t), '');
  if (r.scheduleError) lines.push(`next run: unknown (${r.scheduleError})`);
  lines.push(r.ok ? 'every target is within its objectives' : `OUT OF OBJECTIVE: ${r.targets.flatMap((t) => t.breaches).map((b) => b.detail).join('; ')}`);
  return lines.join('\n');
}

function renderTarget(t: TargetStatus): string[] {
  const s = t.lastSuccess;
  const head = `${t.breaches.length ? 'BREACH' : 'ok    '} ${t.type}/${t.target}`;
  const size = t.sizeChange
    ? ` (${t.sizeChange.percent > 0 ? '+' : ''}${t.sizeChange.percent}% against ${bytes(t.sizeChange.previousBytes)}${t.sizeChange.flagged ? ', FLAGGED' : ''})` : '';
  const failed = t.lastAttempt && t.lastAttempt.status === 'failed' ? ` — last attempt ${t.lastAttempt.backupId} FAILED: ${t.lastAttempt.error ?? ''}` : '';
  const drill = t.lastDrill
    ? `${t.lastDrill.passed ? 'passed' : 'FAILED'} ${when(t.lastDrill.at)}, RTO ${ms(t.lastDrill.targetRtoMs ?? t.lastDrill.rtoMs)}` : 'none yet';
  return [
    head,
    `  last success   ${s ? `${s.backupId} at ${when(s.at)}, ${age(s.ageMs)} old (RPO objective ${age(t.rpoObjectiveMs)})` : `none (RPO objective ${age(t.rpoObjectiveMs)})`}`,
    `  size           ${s ? `${bytes(s.sizeBytes)}${size}, took ${ms(s.durationMs)}` : '-'}`,
    `  failures (7d)  ${t.failures7d ?? 'unknown'}${failed}`,
    `  next run       ${t.nextRunAt ? when(t.nextRunAt) : 'unknown'}`,
    `  last drill     ${drill}`,
    `  stored         ${bytes(t.storedBytes)} (protected ${bytes(t.protectedBytes)})`,
  ];
}
