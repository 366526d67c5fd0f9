/**
 * The backup a worker runs when it starts (RUN_IMMEDIATE_BACKUP), guarded by respawn protection so a
 * crash-looping container never produces a storm of backups:
 * - a target whose last successful backup is younger than RESPAWN_PROTECTION_HOURS is skipped (FORCE_BACKUP
 *   bypasses this), and the skip is logged and recorded in the started run's memo;
 * - the cycle has one workflow id per task queue and joins a cycle still running under it, so restarts
 *   during a start-up backup never start a second one.
 */
import type { Client } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';

export interface StartupSkip {
  target: string;
  lastSuccess: string;
}

export interface StartupOutcome {
  /** the start-up cycle's workflow id, when one runs */
  workflowId?: string;
  /** true when a start-up cycle was already running and this worker joined it instead of starting another */
  joined: boolean;
  targets: string[];
  skipped: StartupSkip[];
}

export function startupWorkflowId(config: CairnConfig): string {
  return `cairn-startup-backup-${config.temporal.taskQueue}`;
}

/** Targets respawn protection skips: each one's last successful backup is younger than the window. */
async function recentlyBackedUp(config: CairnConfig, now: Date): Promise<StartupSkip[]> {
  const { respawnProtectionHours: hours, forceBackup } = config.backup;
  if (forceBackup || hours === 0) return [];
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    const skipped: StartupSkip[] = [];
    for (const t of config.targets) {
      const [last] = await catalog.list({ target: t.name, status: 'success', limit: 1 });
      if (last && now.getTime() - last.timestamp.getTime() < hours * 3_600_000) skipped.push({ target: t.name, lastSuccess: last.timestamp.toISOString() });
    }
    return skipped;
  } finally {
    await catalog.close();
  }
}

/** `restoring`: targets a start-up restore is filling now (worker/bootstrap-restore.ts), never backed up meanwhile. */
export async function runStartupBackup(config: CairnConfig, client: Client, log: (line: string) => void, restoring: string[] = []): Promise<StartupOutcome> {
  const now = new Date();
  const skipped = await recentlyBackedUp(config, now);
  for (const s of skipped) {
    const age = ((now.getTime() - Date.parse(s.lastSuccess)) / 3_600_000).toFixed(1);
    log(`start-up backup: skipping ${s.target}: its last successful backup (${s.lastSuccess}) is ${age} h old, within RESPAWN_PROTECTION_HOURS=${config.backup.respawnProtectionHours}; FORCE_BACKUP=true bypasses this`);
  }
  for (const t of restoring) log(`start-up backup: skipping ${t}: it is being restored from its latest backup`);
  const targets = config.targets.map((t) => t.name).filter((n) => !skipped.some((s) => s.target === n) && !restoring.includes(n));
  if (!targets.length) {
    log('start-up backup: nothing to do, every target was backed up recently (respawn protection)');
    return { joined: false, targets, skipped };
  }
  const workflowId = startupWorkflowId(config);
  // A restart while the start-up cycle still runs joins it (USE_EXISTING); asking first says which it was.
  const running = await client.workflow.getHandle(workflowId).describe().then((d) => d.status.name === 'RUNNING', () => false);
  const handle = await client.workflow.start('backupCycle', {
    taskQueue: config.temporal.taskQueue, workflowId, args: [{ targets }],
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    memo: { trigger: 'worker start-up', forceBackup: config.backup.forceBackup, respawnSkipped: skipped },
  });
  const joined = running;
  log(`start-up backup: ${joined ? 'joined the start-up cycle already running' : 'started'} ${workflowId} (run ${handle.firstExecutionRunId}) for ${targets.join(', ')}${config.backup.forceBackup ? ' (FORCE_BACKUP)' : ''}`);
  return { workflowId, joined, targets, skipped };
}
