/**
 * `cairn prune [--dry-run] [--target N] [--json]`: what retention deletes and why each kept backup stays.
 * A dry run plans here, from the catalog and the bucket, and deletes nothing; a real run is the pruneBackups
 * workflow (the same planner), so a dead CLI never leaves a prune half done.
 */
import { randomUUID } from 'node:crypto';
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { runningBackupIds } from '../catalog/retention';
import { connectClient, workflowLink } from '../client/connection';
import { findLeftovers, leftoverPrefix } from '../retention/bucket';
import { doomed, planPrune } from '../retention/plan';
import { ObjectStore } from '../storage/s3';
import type { PruneBackupsResult } from '../workflows/prune-backups';
import { table } from './format';
import { requireWorker } from './workers';

export async function pruneCommand(config: CairnConfig, o: { target?: string; dryRun: boolean; json: boolean }): Promise<number> {
  if (o.target && !config.targets.some((t) => t.name === o.target)) {
    console.error(`cairn prune: --target '${o.target}' is not a configured target; configured: ${config.targets.map((t) => t.name).join(', ')}`);
    return 2;
  }
  const result = o.dryRun ? await planLocally(config, o.target) : await runWorkflow(config, o.target, o.json);
  console.log(o.json ? JSON.stringify(result, null, 2) : render(result));
  return 0;
}

async function planLocally(config: CairnConfig, target?: string): Promise<PruneBackupsResult> {
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    const plans = await planPrune(config, store, catalog, target ? [target] : []);
    const left = await findLeftovers(store, leftoverPrefix(config, target), await runningBackupIds(catalog.pool), config.retention.orphanGraceHours);
    return { version: 1, dryRun: true, plans, deleted: doomed(plans), orphans: left.orphans, uploads: left.uploads.map((u) => u.key) };
  } finally {
    store.destroy();
    await catalog.close();
  }
}

async function runWorkflow(config: CairnConfig, target: string | undefined, quiet: boolean): Promise<PruneBackupsResult> {
  const client = await connectClient(config.temporal);
  try {
    await requireWorker(client, config.temporal);
    const workflowId = `prune-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
    const handle = await client.workflow.start('pruneBackups', { taskQueue: config.temporal.taskQueue, workflowId, args: [{ version: 1, ...(target ? { target } : {}) }] });
    if (!quiet) console.log(`started pruneBackups ${workflowId}\n  ${workflowLink(config.temporal, workflowId, handle.firstExecutionRunId)}\n`);
    return await handle.result() as PruneBackupsResult;
  } finally {
    await client.connection.close();
  }
}

export function render(r: PruneBackupsResult): string {
  const out: string[] = [r.dryRun ? 'dry run: nothing was deleted' : `deleted ${r.deleted.length} backup(s)`];
  for (const p of r.plans) {
    out.push('', `${p.type}/${p.target}: scheduled backups: ${p.policy.scheduled}; manual backups: ${p.policy.manual}`);
    if (!p.backups.length) { out.push('  no live backups'); continue; }
    out.push(table(['', 'backup id', 'taken (UTC)', 'trigger', 'why'], p.backups.map((b) => [
      b.keep ? 'keep' : (r.dryRun ? 'would delete' : 'deleted'), b.backupId, b.at.replace('T', ' ').slice(0, 19), b.trigger,
      b.keep ? b.reasons.join(', ') : 'no rule keeps it',
    ])).replace(/^/gm, '  '));
  }
  const verb = r.dryRun ? 'would remove' : 'removed';
  out.push('', `orphans (objects without a manifest): ${verb} ${r.orphans.length}${r.orphans.length ? ': ' + r.orphans.join(', ') : ''}`);
  out.push(`unfinished multipart uploads: ${r.dryRun ? 'would abort' : 'aborted'} ${r.uploads.length}${r.uploads.length ? ': ' + r.uploads.join(', ') : ''}`);
  return out.join('\n');
}
