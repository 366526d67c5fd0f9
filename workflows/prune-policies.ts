/** Timeouts and retries of retention's steps. Deleting one backup is short; a retry finishes what a dead worker began. */
import type { ActivityOptions } from '@temporalio/workflow';

const NON_RETRYABLE = ['UnknownTarget', 'BackupProtected', 'StorageAccessDenied', 'PermanentError'];

/** Planning reads the catalog and lists the bucket; deleting one backup removes a handful of objects. */
export const pruneStep: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Sweeping the whole bucket for orphans and unfinished uploads. */
export const sweeping: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};
