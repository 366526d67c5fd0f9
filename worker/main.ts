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
import { runBootstrapRestore } from './bootstrap-restore';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  if (config.backup.applyScheduleOnStart) {
    const client = await connectClient(config.temporal);
    for (const { spec, outcome } of await applySchedules(client, config)) console.log(`schedule ${spec.scheduleId}: ${outcome}`);
    await client.connection.close();
  }
  const { worker, store, close } = await createWorker(config);
  if (config.backup.restoreEmptyOnStart || config.backup.runOnStart) {
    const client = await connectClient(config.temporal);
    try {
      // Restores first: a start-up backup of a target about to be restored would record its emptiness as the latest backup.
      const restoring = config.backup.restoreEmptyOnStart
        ? (await runBootstrapRestore(config, client, store, (line) => console.log(line))).filter((d) => d.action === 'restoring').map((d) => d.target)
        : [];
      if (config.backup.runOnStart) await runStartupBackup(config, client, (line) => console.log(line), restoring);
    } finally {
      await client.connection.close();
    }
  }
  console.log(`cairn worker polling task queue '${config.temporal.taskQueue}' on ${config.temporal.address} (namespace ${config.temporal.namespace}); ${config.targets.length} target(s): ${config.targets.map((t) => `${t.type}/${t.name}`).join(', ')}`);
  await worker.run();
  await close();
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err instanceof Error && err.name === 'ConfigError' ? err.message : err);
    process.exit(1);
  });
}
