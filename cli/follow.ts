/**
 * Following a running restore or drill from the terminal: phases from the workflow's `progress` query, and bytes
 * from its children's running activities (their heartbeats carry bytesRead and totalBytes).
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { bytes } from './format';

export interface ActivityProgress { activity: string; phase?: string; bytesRead?: number; totalBytes?: number; attempt: number; lastFailure?: string }

/** The running activities of a workflow, with their last heartbeat decoded. */
export async function runningActivities(client: Client, workflowId: string): Promise<ActivityProgress[]> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return (d.raw.pendingActivities ?? []).map((a) => {
      const payload = a.heartbeatDetails?.payloads?.[0];
      const details = payload ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) : {};
      return {
        activity: a.activityType?.name ?? '?', attempt: a.attempt ?? 1,
        ...(typeof details.phase === 'string' ? { phase: details.phase } : {}),
        ...(typeof details.bytesRead === 'number' ? { bytesRead: details.bytesRead } : {}),
        ...(typeof details.totalBytes === 'number' ? { totalBytes: details.totalBytes } : {}),
        ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message } : {}),
      };
    });
  } catch {
    return [];
  }
}

const STEP_NAMES: Record<string, string> = {
  verifyBackup: 'verifying', restoreToDestination: 'restoring', proveRestore: 'proving the copy equal to the backup',
  prepareDrillDestination: 'preparing the drill destination', smokeTest: 'smoke-testing', runDrillChecks: 'running checks',
  maskRestored: 'masking the copy (masking: rules)', finishMasking: 'clearing old row versions and marks left by masking',
};

/** "restoring 120.5 MiB of 400.0 MiB (35.2 MiB/s)", or the retry a step is waiting on. */
export function describeActivity(a: ActivityProgress, rate?: number): string {
  const retry = a.attempt > 1 ? ` (attempt ${a.attempt}${a.lastFailure ? `, last error: ${a.lastFailure}` : ''})` : '';
  const step = a.phase ?? STEP_NAMES[a.activity] ?? a.activity;
  if (a.bytesRead === undefined || a.phase === 'proving') return `${step}${retry}`;
  const of = a.totalBytes ? ` of ${bytes(a.totalBytes)}` : '';
  return `${step} ${bytes(a.bytesRead)}${of}${rate ? ` (${bytes(rate)}/s)` : ''}${retry}`;
}

/** Tracks bytes per key between polls, for a rate. */
export class RateMeter {
  private readonly last = new Map<string, { bytes: number; at: number }>();
  rate(key: string, bytesNow: number): number | undefined {
    const now = Date.now();
    const prev = this.last.get(key);
    this.last.set(key, { bytes: bytesNow, at: now });
    if (!prev || now <= prev.at || bytesNow < prev.bytes) return undefined;
    return ((bytesNow - prev.bytes) * 1000) / (now - prev.at);
  }
}
