/** A notification, as workflows describe it: plain data (it crosses Temporal), names and reasons only. */
export type EventKind = 'backup' | 'restore' | 'prune' | 'drill' | 'objective';
export type EventOutcome = 'failed' | 'succeeded' | 'breach' | 'resolved';

export interface NotificationEvent {
  kind: EventKind;
  outcome: EventOutcome;
  /** one line, e.g. "Backup cycle failed: 1 of 2 target(s)" */
  title: string;
  /** the reason, in the words of the failure */
  detail: string;
  workflowId?: string;
  /** each target involved, with its own reason when it failed */
  targets: { target: string; type?: string; reason?: string }[];
  at: string;
}
