/**
 * Cairn's Temporal Schedules, applied from config idempotently: created when missing, updated only when the
 * config changed, and their paused state always kept (an operator's pause survives a redeploy).
 *   - the backup cycle (BACKUP_SCHEDULE, daily 02:00 UTC by default)
 *   - the DR drill (DRILL_SCHEDULE, monthly on the 1st at 03:00 UTC by default)
 *   - the objective check (OBJECTIVE_CHECK_SCHEDULE, hourly by default)
 *   - retention (PRUNE_SCHEDULE, daily 06:00 UTC by default, after the backup window)
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import type { CairnConfig } from '../config/types';

const HASH_MEMO = 'cairnScheduleHash';

export interface ScheduleSpec {
  scheduleId: string;
  workflowType: string;
  cron: string;
  args: unknown[];
}

/** Every schedule Cairn keeps, as config describes them. */
export function cairnSchedules(config: CairnConfig): ScheduleSpec[] {
  return [
    { scheduleId: config.backup.scheduleId, workflowType: 'backupCycle', cron: config.backup.schedule, args: [{}] },
    { scheduleId: config.drill.scheduleId, workflowType: 'drDrill', cron: config.drill.schedule, args: [{}] },
    { scheduleId: config.ops.objectiveCheck.scheduleId, workflowType: 'objectiveCheck', cron: config.ops.objectiveCheck.schedule, args: [{}] },
    { scheduleId: config.retention.scheduleId, workflowType: 'pruneBackups', cron: config.retention.schedule, args: [{}] },
  ];
}

function desired(config: CairnConfig, s: ScheduleSpec) {
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow', workflowType: s.workflowType, args: s.args, taskQueue: config.temporal.taskQueue, workflowId: s.scheduleId,
  };
  // One run per slot: a run still going (or a restarted worker) never causes a second one.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' as const, pauseOnFailure: false };
  const spec = { cronExpressions: [s.cron], timezone: 'UTC' };
  const hash = createHash('sha256').update(JSON.stringify({ action, policies, spec })).digest('hex').slice(0, 16);
  // The hash rides in the started workflows' memo: the one place an update can carry it, and harmless to show.
  return { spec, policies, action: { ...action, memo: { [HASH_MEMO]: hash } }, hash };
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export async function applyScheduleSpec(client: Client, config: CairnConfig, s: ScheduleSpec): Promise<ApplyOutcome> {
  const want = desired(config, s);
  const handle = client.schedule.getHandle(s.scheduleId);
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
      scheduleId: s.scheduleId, spec: want.spec, action: want.action, policies: want.policies,
      state: { note: 'applied by cairn schedule apply' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return applyScheduleSpec(client, config, s); // created concurrently
    throw err;
  }
}

/** The backup cycle's schedule. */
export function applySchedule(client: Client, config: CairnConfig): Promise<ApplyOutcome> {
  return applyScheduleSpec(client, config, cairnSchedules(config)[0]!);
}

/** Every schedule; returns each one's outcome by id. */
export async function applySchedules(client: Client, config: CairnConfig): Promise<{ spec: ScheduleSpec; outcome: ApplyOutcome }[]> {
  const out = [];
  for (const spec of cairnSchedules(config)) out.push({ spec, outcome: await applyScheduleSpec(client, config, spec) });
  return out;
}
