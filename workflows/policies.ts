/**
 * Timeouts and retry policies per activity. Backoff is exponential everywhere; errors retrying cannot fix
 * (bad credentials, unknown target, missing database) are raised non-retryable by the activities themselves.
 */
import type { ActivityOptions } from '@temporalio/workflow';

const NON_RETRYABLE = ['PermanentError', 'UnknownTarget', 'ChecksumMismatch', 'ValidationFailed', 'StorageAccessDenied'];

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
