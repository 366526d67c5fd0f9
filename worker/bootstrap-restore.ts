/**
 * The restore a worker runs when it starts (CAIRN_RESTORE_EMPTY_ON_START, Graphiti's RESTORE_FROM_S3_ON_STARTUP):
 * each configured target that is empty now is restored, into itself, from its latest good backup, through the
 * restoreBackup workflow (verify, restore, prove, report). Never over data:
 * - a target that holds anything is left alone, and that is logged;
 * - the restore runs without force, so a target written to between this check and the restore is refused there too;
 * - a target with no backup yet is logged and skipped;
 * - each target's restore has one workflow id per task queue and joins one still running under it, so a worker
 *   restarting mid-restore never starts a second.
 */
import type { Client } from '@temporalio/client';
import type { CairnConfig, Target } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { BackupLocator } from '../catalog/locate';
import { engines } from '../engines/registry';
import type { Engine } from '../engines/engine';
import type { BackupStore } from '../storage/store';
import { utcStamp } from '../workflows/stamp';

export type BootstrapDecision =
  | { target: string; action: 'restoring'; workflowId: string; backupId: string; joined: boolean }
  | { target: string; action: 'not-empty' | 'no-backup' | 'cannot-restore'; detail: string };

export function bootstrapWorkflowId(config: CairnConfig, target: string): string {
  return `cairn-bootstrap-restore-${config.temporal.taskQueue}-${target}`;
}

/** The name `into` takes to mean the target itself: its own database (PostgreSQL, Neo4j) or its own name. */
function ownName(target: Target): string {
  return target.type === 'qdrant' ? target.name : target.database;
}

async function decide(config: CairnConfig, client: Client, locator: BackupLocator, target: Target): Promise<BootstrapDecision> {
  const name = target.name;
  let located;
  try {
    located = await locator.latestOf(target.type, name);
  } catch (err) {
    const action = (err as { kind?: string }).kind === 'NoBackup' ? 'no-backup' : 'cannot-restore';
    return { target: name, action, detail: (err as Error).message };
  }
  const engine = engines[target.type] as unknown as Engine<Target>;
  let state;
  try {
    const dest = engine.destination({
      source: target, manifest: located.manifest, into: ownName(target), stamp: utcStamp(new Date()), purpose: 'restore', targets: config.targets,
    });
    state = await engine.inspect(dest);
  } catch (err) {
    return { target: name, action: 'cannot-restore', detail: (err as Error).message };
  }
  if (!state.empty) return { target: name, action: 'not-empty', detail: state.detail };

  const workflowId = bootstrapWorkflowId(config, name);
  const before = Date.now();
  const handle = await client.workflow.start('restoreBackup', {
    taskQueue: config.temporal.taskQueue, workflowId,
    args: [{ type: target.type, target: name, backupId: located.manifest.backupId, into: ownName(target) }],
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    memo: { trigger: 'worker start-up: empty target' },
  });
  const joined = (await handle.describe()).startTime.getTime() < before - 1000;
  return { target: name, action: 'restoring', workflowId, backupId: located.manifest.backupId, joined };
}

function describe(d: BootstrapDecision): string {
  switch (d.action) {
    case 'restoring':
      return `start-up restore: ${d.target} is empty; ${d.joined ? 'joined the restore already running' : 'restoring it from'} ${d.backupId} (workflow ${d.workflowId})`;
    case 'not-empty':
      return `start-up restore: ${d.target} is not empty (${d.detail}); left alone`;
    case 'no-backup':
      return `start-up restore: ${d.target} is empty or new, but has no backup to restore yet; skipped (${d.detail})`;
    case 'cannot-restore':
      return `start-up restore: ${d.target} cannot be restored at start-up: ${d.detail}; skipped`;
  }
}

/** Decides, per target, and starts the restores; the worker that then runs executes them. */
export async function runBootstrapRestore(config: CairnConfig, client: Client, store: BackupStore, log: (line: string) => void): Promise<BootstrapDecision[]> {
  const catalog = new Catalog(config.metadata);
  const locator = new BackupLocator(store, catalog);
  const decisions: BootstrapDecision[] = [];
  try {
    for (const target of config.targets) {
      const d = await decide(config, client, locator, target);
      log(describe(d));
      decisions.push(d);
    }
  } finally {
    await catalog.close();
  }
  return decisions;
}
