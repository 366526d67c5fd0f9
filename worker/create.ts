/** Builds a worker from config: real clients in, activities and workflows registered, nothing started yet. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { CairnConfig } from '../config/types';
import { createActivities } from '../activities';
import { Catalog } from '../catalog/catalog';
import { engines } from '../engines/registry';
import { openStore } from '../storage/open-store';
import type { BackupStore } from '../storage/store';
import { connectClient, tlsSettings } from '../client/connection';
import { currentBundle } from './bundle';

export interface CairnWorker {
  worker: Worker;
  /** where this worker's activities keep backups */
  store: BackupStore;
  /** closes the clients the worker's activities use; call after worker.run() resolves */
  close(): Promise<void>;
}

export async function createWorker(config: CairnConfig, options: Partial<WorkerOptions> = {}): Promise<CairnWorker> {
  const catalog = new Catalog(config.metadata);
  // The metadata database may be the very database being recovered: the worker still starts, restores find
  // backups from the bucket's manifests, and backups wait (retrying) until the catalog answers again.
  await catalog.migrate().catch((err: Error) => {
    const m = config.metadata;
    console.warn(`cairn worker: the catalog at ${m.host}:${m.port}/${m.database} does not answer (${err.message}); restores will read the bucket alone`);
  });
  const store = openStore(config.storage);
  const temporal = await connectClient(config.temporal);
  const tls = tlsSettings(config.temporal);
  const connection = await NativeConnection.connect({ address: config.temporal.address, ...(tls ? { tls } : {}) });
  const bundle = currentBundle();
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // The build's prebuilt bundle when it is current; bundling here instead costs seconds and memory.
    ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ config, store, catalog, engines, temporal }),
    // Dumps stream in parallel per target; more at once than this would fight over 2 cores and the network.
    maxConcurrentActivityTaskExecutions: Math.max(4, config.backup.concurrency * 2),
    ...options,
  });
  return {
    worker,
    store,
    async close() {
      await connection.close();
      await temporal.connection.close();
      store.destroy();
      await catalog.close();
    },
  };
}
