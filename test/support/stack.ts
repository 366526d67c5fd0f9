/** Test access to the real local stack (npm run stack:up): config, an in-process worker, a Temporal client. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkerOptions } from '@temporalio/worker';
import { loadConfig } from '../../config/load';
import type { CairnConfig } from '../../config/types';
import { connectClient } from '../../client/connection';
import { createWorker } from '../../worker/create';
import type { BackupStore } from '../../storage/store';

// Worker lifecycle chatter at INFO would bury test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

/**
 * Config as a user of the local stack would have it, with a task queue and bucket of the test's own so test
 * files running in parallel never pick up each other's workflows or objects.
 */
export function testConfig(label: string, overrides: Record<string, string> = {}): CairnConfig {
  const suffix = randomUUID().slice(0, 8);
  return loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `test-${label}-${suffix}`,
    BACKUP_BUCKET: `test-${label}-${suffix}`.toLowerCase().slice(0, 63),
    ...overrides,
  });
}

/**
 * Runs `fn` while a real worker serves the config's task queue, then shuts the worker down. `onStore` sees the
 * worker's store before it starts (e.g. to inject a fault into its S3 client).
 */
export async function withWorker<T>(config: CairnConfig, fn: (client: Client) => Promise<T>, options: Partial<WorkerOptions> = {},
  onStore?: (store: BackupStore) => void): Promise<T> {
  const { worker, store, close } = await createWorker(config, { shutdownGraceTime: '2 seconds', ...options });
  onStore?.(store);
  const client = await connectClient(config.temporal);
  try {
    return await worker.runUntil(fn(client));
  } finally {
    await client.connection.close();
    await close();
  }
}
