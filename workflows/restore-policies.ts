/**
 * Timeouts and retries of restore and drill steps. Reading and restoring heartbeat (every 10 s even while a
 * database builds indexes), so a dead worker is noticed in a minute and the step moves to another worker.
 * Errors retrying cannot fix (a checksum mismatch, a missing object, a non-empty destination) are raised
 * non-retryable by the activities themselves.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** Locating backups and recording reports: quick, worth retrying through a short outage of the store. */
export const restorePlanning: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/** Reading every stored object back before anything is touched. */
export const restoreVerifying: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
};

/** Writing into the destination: a failed attempt leaves a created destination removed, so a retry starts clean. */
export const restoreWriting: ActivityOptions = {
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 3 },
};

/** Fingerprinting the restored copy, smoke checks, user checks and teardown. */
export const restoreChecking: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
};

/** Masking a restored copy, then clearing what it left behind: both idempotent (engines mark what is done), so retries are safe. */
export const restoreMasking: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
};
