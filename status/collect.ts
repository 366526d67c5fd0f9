/** Gathers the status: facts from the catalog (or the bucket when it does not answer), the schedule's next run. */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import type { BackupStore } from '../storage/store';
import { evaluate, type StatusReport } from './evaluate';
import { factsFromBucket } from './from-bucket';
import { factsFromCatalog } from './from-catalog';
import type { Facts } from './facts';

export interface StatusDeps {
  config: CairnConfig;
  catalog: Catalog;
  store: BackupStore;
  /** absent: no next-run time (e.g. Temporal is unreachable) */
  temporal?: Client;
}

export async function collectFacts({ config, catalog, store }: StatusDeps): Promise<Facts> {
  try {
    await catalog.migrate();
    return await factsFromCatalog(catalog.pool, config.targets);
  } catch (err) {
    const m = config.metadata;
    // The message names the server, never its credentials.
    const why = `the catalog at ${m.host}:${m.port}/${m.database} does not answer (${(err as Error).message.split('\n')[0]})`;
    return factsFromBucket(store, config.targets, why);
  }
}

export async function nextRun(temporal: Client | undefined, scheduleId: string): Promise<{ nextRunAt?: string; error?: string }> {
  if (!temporal) return { error: 'Temporal is not reachable' };
  try {
    const d = await temporal.schedule.getHandle(scheduleId).describe();
    if (d.state.paused) return { error: `schedule ${scheduleId} is paused` };
    const next = d.info.nextActionTimes[0];
    return next ? { nextRunAt: next.toISOString() } : { error: `schedule ${scheduleId} has no next run` };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { error: `no schedule ${scheduleId}; create it with \`cairn schedule apply\`` };
    return { error: `schedule ${scheduleId} could not be read: ${(err as Error).message}` };
  }
}

export async function collectStatus(deps: StatusDeps, now = Date.now()): Promise<StatusReport> {
  const [facts, schedule] = await Promise.all([collectFacts(deps), nextRun(deps.temporal, deps.config.backup.scheduleId)]);
  return evaluate(facts, deps.config.ops, now, schedule);
}
