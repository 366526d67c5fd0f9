/**
 * The daily backup schedule, applied from config idempotently: created when missing, updated only when the
 * config changed, and its paused state always kept (an operator's pause survives a redeploy).
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import type { BackupCycleInput } from '../workflows/inputs';

const HASH_MEMO = 'cairnScheduleHash';

function desired(config: CairnConfig) {
  const cycleInput: BackupCycleInput = {};
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'backupCycle',
    args: [cycleInput],
    taskQueue: config.temporal.taskQueue,
    workflowId: `${config.backup.scheduleId}`,
  };
  // One backup per slot: a cycle still running (or a restarted worker) never causes a second one.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' as const, pauseOnFailure: false };
  const spec = { cronExpressions: [config.backup.schedule], timezone: 'UTC' };
  const hash = createHash('sha256').update(JSON.stringify({ action, policies, spec })).digest('hex').slice(0, 16);
  // The hash rides in the started workflows' memo: the one place an update can carry it, and harmless to show.
  return { spec, policies, action: { ...action, memo: { [HASH_MEMO]: hash } }, hash };
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export async function applySchedule(client: Client, config: CairnConfig): Promise<ApplyOutcome> {
  const want = desired(config);
  const handle = client.schedule.getHandle(config.backup.scheduleId);
  try {
    const current = await handle.describe();
    if (current.action.memo?.[HASH_MEMO] === want.hash) return 'unchanged';
    // update() may call its function more than once; it only copies, so that is harmless.
    await handle.update((prev) => ({ ...prev, spec: want.spec, action: want.action, policies: want.policies }));
    return 'updated';
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  try {
    await client.schedule.create({
      scheduleId: config.backup.scheduleId, spec: want.spec, action: want.action, policies: want.policies,
      state: { note: 'applied by cairn schedule apply' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return applySchedule(client, config); // created concurrently
    throw err;
  }
}
