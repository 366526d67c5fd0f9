/** Turns engine and storage errors into Temporal failures: errors retrying cannot fix stop retries at once. */
import { ApplicationFailure } from '@temporalio/activity';
import { PermanentError } from '../engines/engine';
import { httpStatus } from '../storage/s3';
import type { StorageConfig } from '../config/types';

// S3 answers that no retry will change: wrong keys, no permission, no such bucket.
const PERMANENT_S3_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'NoSuchBucket', 'AllAccessDisabled']);

/** What to check when the store refuses us, in the variables this worker's operator set (MINIO_*, R2_*, AWS_*...). */
let storageHint = 'check MINIO_ACCESS_KEY, MINIO_SECRET_KEY and BACKUP_BUCKET';

export function storageRefusalHint(storage: Pick<StorageConfig, 'setBy'>): string {
  const by = storage.setBy;
  return by ? `check ${by.credentials}, and ${by.bucket}` : storageHint;
}

/** Called once by createActivities: one worker process serves one configuration. */
export function useStorageHints(storage: Pick<StorageConfig, 'setBy'>): void {
  storageHint = storageRefusalHint(storage);
}

export async function withFailureMapping<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PermanentError) throw ApplicationFailure.nonRetryable(err.message, err.kind);
    const name = (err as Error)?.name;
    const status = httpStatus(err);
    // HEAD requests carry no error body, so a refusal there is known only by its status.
    if (PERMANENT_S3_ERRORS.has(name) || status === 401 || status === 403) {
      const why = PERMANENT_S3_ERRORS.has(name) ? name : `HTTP ${status}`;
      throw ApplicationFailure.nonRetryable(`object store refused the request (${why}); ${storageHint}`, 'StorageAccessDenied');
    }
    throw err;
  }
}
