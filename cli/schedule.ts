/** `cairn schedule apply|list|describe|pause|unpause|trigger|delete`. */
import { ScheduleNotFoundError } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { connectClient } from '../client/connection';
import { applySchedules } from '../client/schedules';
import { table } from './format';

export async function scheduleCommand(config: CairnConfig, action: string | undefined, opts: { id?: string; json: boolean; note?: string }): Promise<number> {
  const id = opts.id ?? config.backup.scheduleId;
  const client = await connectClient(config.temporal);
  try {
    const handle = client.schedule.getHandle(id);
    switch (action) {
      case 'apply':
        for (const { spec, outcome } of await applySchedules(client, config)) {
          console.log(`schedule ${spec.scheduleId}: ${outcome} (${spec.workflowType}, ${spec.cron} UTC, overlap SKIP)`);
        }
        return 0;
      case 'list': {
        const rows: string[][] = [];
        for await (const s of client.schedule.list()) {
          rows.push([s.scheduleId, s.state.paused ? 'paused' : 'active', s.info.nextActionTimes[0]?.toISOString() ?? '-', s.info.recentActions.at(-1)?.takenAt.toISOString() ?? '-']);
        }
        console.log(opts.json ? JSON.stringify(rows) : table(['schedule', 'state', 'next run', 'last run'], rows));
        return 0;
      }
      case 'describe': {
        const d = await handle.describe();
        const summary = {
          scheduleId: d.scheduleId, paused: d.state.paused, note: d.state.note, workflowType: d.action.workflowType,
          taskQueue: d.action.taskQueue, overlap: d.policies.overlap, catchupWindowMs: d.policies.catchupWindow,
          nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
          recentRuns: d.info.recentActions.map((a) => ({ at: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
        };
        console.log(JSON.stringify(summary, null, 2));
        return 0;
      }
      case 'pause':
        await handle.pause(opts.note ?? 'paused with cairn schedule pause');
        console.log(`schedule ${id}: paused`);
        return 0;
      case 'unpause':
        await handle.unpause(opts.note ?? 'unpaused with cairn schedule unpause');
        console.log(`schedule ${id}: active`);
        return 0;
      case 'trigger':
        await handle.trigger();
        console.log(`schedule ${id}: triggered a backup cycle now`);
        return 0;
      case 'delete':
        await handle.delete();
        console.log(`schedule ${id}: deleted`);
        return 0;
      default:
        console.error('usage: cairn schedule apply|list|describe|pause|unpause|trigger|delete [--id ID]');
        return 2;
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      console.error(`cairn schedule ${action}: no schedule '${id}' exists; create it with \`cairn schedule apply\``);
      return 1;
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}
