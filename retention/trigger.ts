import type { BackupTrigger } from '../config/retention';

/** A cycle started by the backup schedule has a workflow id starting with the schedule's id; any other is manual. */
export function triggerOf(workflowId: string | null | undefined, scheduleId: string): BackupTrigger {
  return workflowId?.startsWith(scheduleId) ? 'scheduled' : 'manual';
}
