/**
 * Timeouts and retry policies per activity. Backoff is exponential everywhere; errors retrying cannot fix
 * (bad credentials, unknown target, missing database) are raised non-retryable by the activities themselves.
 *
 * Everything else (the store or a database unreachable, a connection reset, a 5xx, throttling) is retried
 * through an outage: attempts continue, with capped backoff, until the waits between them add up to the
 * retry window (CAIRN_RETRY_WINDOW_MINUTES, 30 by default). The worker's config sets the window, so the
 * planning activity computes the policies and the workflow uses what it returns: config reaches the
 * workflow through its history, deterministically. The constants below are the policies of runs started
 * before that (and the base the windowed ones keep their timeouts from).
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

const NON_RETRYABLE = ['PermanentError', 'UnknownTarget', 'ChecksumMismatch', 'ValidationFailed', 'StorageAccessDenied', 'InvalidActivityInput'];

/** Catalog and planning steps: short, and worth retrying through a brief database or network blip. */
export const bookkeeping: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * Dumping and uploading: long, so it heartbeats; a worker that dies is noticed within the heartbeat timeout
 * and the dump restarts on another worker, overwriting the same keys.
 */
export const dumping: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Reading a backup back to check it: as long as the dump, fewer retries (a corrupt object stays corrupt). */
export const validating: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Pruning deletes objects one by one; a large backlog takes a while, so it heartbeats. */
export const pruning: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Doctor checks answer quickly or report what is wrong; one retry covers a passing blip. */
export const checking: ActivityOptions = {
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 2 },
};

/** The retry policy of each kind of backup step, as the planning activity computed it from config. */
export interface StepRetries {
  bookkeeping: RetryPolicy;
  dumping: RetryPolicy;
  validating: RetryPolicy;
  pruning: RetryPolicy;
}

/** How long and how often to retry transient failures (config: CAIRN_RETRY_WINDOW_MINUTES, DB_RETRY_*). */
export interface RetryTuning {
  windowMinutes: number;
  /** the first retry's delay (DB_RETRY_DELAY); absent: each step's own (2 s for bookkeeping, 10 s otherwise) */
  initialDelaySeconds?: number;
  /** at least this many attempts, even when the window needs fewer (DB_RETRY_ATTEMPTS) */
  minAttempts?: number;
}

/** Policies that keep retrying for the whole window. Pure, so the planning activity's result is reproducible. */
export function outageTolerantRetries(tuning: RetryTuning): StepRetries {
  return {
    bookkeeping: windowed(tuning, 2_000, 60_000),
    dumping: windowed(tuning, 10_000, 120_000),
    validating: windowed(tuning, 10_000, 120_000),
    pruning: windowed(tuning, 10_000, 120_000),
  };
}

function windowed(tuning: RetryTuning, initialMs: number, capMs: number): RetryPolicy {
  const first = tuning.initialDelaySeconds !== undefined ? tuning.initialDelaySeconds * 1000 : initialMs;
  const cap = Math.max(capMs, first);
  // Count attempts until the waits between them cover the window; time spent in the attempts comes on top.
  let waited = 0;
  let attempts = 1;
  for (let wait = first; waited < tuning.windowMinutes * 60_000; wait *= 2, attempts++) waited += Math.min(wait, cap);
  return {
    initialInterval: first, backoffCoefficient: 2, maximumInterval: cap,
    maximumAttempts: Math.max(attempts, tuning.minAttempts ?? 1), nonRetryableErrorTypes: NON_RETRYABLE,
  };
}

/** `base` with its retry policy replaced by the planned one, when there is one. */
export function withRetry(base: ActivityOptions, retry: RetryPolicy | undefined): ActivityOptions {
  return retry ? { ...base, retry } : base;
}
