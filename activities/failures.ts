/** Turns engine errors into Temporal failures: errors retrying cannot fix stop retries at once. */
import { ApplicationFailure } from '@temporalio/activity';
import { PermanentError } from '../engines/engine';

export async function withFailureMapping<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PermanentError) throw ApplicationFailure.nonRetryable(err.message, err.kind);
    throw err;
  }
}
