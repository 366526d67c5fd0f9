/**
 * What a cycle is waiting for, from Temporal's own record of its pending activities (describe()): each step
 * that failed and waits to be retried, with the attempt, when it runs next and why the last one failed.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { CairnConfig } from '../config/types';

export interface PendingRetry {
  /** the target it belongs to ('' for cycle-wide steps such as pruning) */
  target: string;
  /** e.g. "dump"; the activity type for runs started before steps were named */
  step: string;
  /** identifies this one retry, so it is shown once, not every second */
  key: string;
  line: string;
}

// S3 error names that mean the store is there but failing or busy for now.
const STORE_BUSY = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'ThrottlingException', 'TooManyRequestsException']);

export function pendingRetries(description: WorkflowExecutionDescription, config: CairnConfig, now = Date.now()): PendingRetry[] {
  const out: PendingRetry[] = [];
  for (const activity of description.raw.pendingActivities ?? []) {
    const attempt = activity.attempt ?? 1;
    const next = activity.nextAttemptScheduleTime;
    if (attempt < 2 || !next) continue;
    const id = activity.activityId ?? '';
    // Steps are named `<target>/<step>` by the cycle (or just `<step>` for cycle-wide ones).
    const [target, step] = id.includes('/') ? id.split('/', 2) as [string, string] : ['', /^\d+$/.test(id) ? activity.activityType?.name ?? id : id];
    const inSeconds = Math.max(0, Math.round((Number(next.seconds?.toString() ?? 0) * 1000 + (next.nanos ?? 0) / 1e6 - now) / 1000));
    let failure = activity.lastFailure;
    while (failure?.cause) failure = failure.cause;
    const why = failure?.message ?? '';
    const of = activity.maximumAttempts ? ` of ${activity.maximumAttempts - 1}` : '';
    out.push({
      target, step, key: `${id}#${attempt}`,
      line: `${step}: waiting for ${waitingFor(why, failure?.applicationFailureInfo?.type ?? '', config)}, retry ${attempt - 1}${of} in ${inSeconds} s${why ? ` (${why})` : ''}`,
    });
  }
  return out;
}

/** "the store", "the database" or "a retry", judged from the last failure's message and type. */
function waitingFor(message: string, type: string, config: CairnConfig): string {
  if (STORE_BUSY.has(type) || message.includes(hostPort(config.storage.endpoint))) return 'the store';
  const databases = config.targets.map((t) => (t.type === 'postgres' ? `${t.host}:${t.port}` : hostPort(t.type === 'neo4j' ? t.uri : t.url)));
  if (databases.some((d) => message.includes(d))) return 'the database';
  return 'a retry';
}

function hostPort(address: string): string {
  try {
    const url = new URL(address);
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : 7687)}`;
  } catch {
    return address;
  }
}
