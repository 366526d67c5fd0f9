/**
 * `cairn worker`: runs a worker until SIGINT/SIGTERM, applying the backup schedule first when configured to,
 * restoring empty targets when CAIRN_RESTORE_EMPTY_ON_START asks (worker/bootstrap-restore.ts), and starting one
 * backup cycle when RUN_IMMEDIATE_BACKUP asks (worker/startup-backup.ts).
 */
import { loadConfig } from '../config/load';
import { createWorker } from './create';
import { applySchedules } from '../client/schedules';
import { connectClient } from '../client/connection';
import { runStartupBackup } from './startup-backup';
import { Catalog } from '../catalog/catalog';
import { ObjectStore } from '../storage/s3';
import { startServer } from '../server/start';
import { installObservability, logInfo } from './observability';
import { runBootstrapRestore } from './bootstrap-restore';
import { relaunchTuned } from './lean-process';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  installObservability(config);
  if (config.backup.applyScheduleOnStart) {
    const client = await connectClient(config.temporal);
    for (const { spec, outcome } of await applySchedules(client, config)) logInfo(`schedule ${spec.scheduleId}: ${outcome}`);
    await client.connection.close();
  }
  const { worker, store, close } = await createWorker(config);
  // The HTTP server (health, metrics, API, status page) runs in the worker when CAIRN_HTTP_PORT is set.
  const http = config.ops.http.port ? await httpServer(config, () => worker.getState() === 'RUNNING') : undefined;
  if (config.backup.restoreEmptyOnStart || config.backup.runOnStart) {
    const client = await connectClient(config.temporal);
    try {
      // Restores first: a start-up backup of a target about to be restored would record its emptiness as the latest backup.
      const restoring = config.backup.restoreEmptyOnStart
        ? (await runBootstrapRestore(config, client, store, (line) => logInfo(line))).filter((d) => d.action === 'restoring').map((d) => d.target)
        : [];
      if (config.backup.runOnStart) await runStartupBackup(config, client, (line) => logInfo(line), restoring);
    } finally {
      await client.connection.close();
    }
  }
  logInfo(`cairn worker polling task queue '${config.temporal.taskQueue}' on ${config.temporal.address} (namespace ${config.temporal.namespace}); ${config.targets.length} target(s): ${config.targets.map((t) => `${t.type}/${t.name}`).join(', ')}`);
  try {
    await worker.run();
  } finally {
    await http?.close();
    await close();
  }
}

async function httpServer(config: ReturnType<typeof loadConfig>, workerRunning: () => boolean) {
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const temporal = await connectClient(config.temporal);
  const { server } = await startServer({ config, catalog, store, temporal, workerRunning });
  return {
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await temporal.connection.close();
      store.destroy();
      await catalog.close();
    },
  };
}

if (require.main === module) {
  Promise.resolve().then(() => { relaunchTuned(); return runWorker(); }).catch((err) => {
    console.error(err instanceof Error && err.name === 'ConfigError' ? err.message : err);
    process.exit(1);
  });
}
