/**
 * `cairn worker`: runs a worker until SIGINT/SIGTERM, applying the backup schedule first when configured to,
 * and starting one backup cycle when RUN_IMMEDIATE_BACKUP asks (worker/startup-backup.ts).
 */
import { loadConfig } from '../config/load';
import { createWorker } from './create';
import { applySchedules } from '../client/schedules';
import { connectClient } from '../client/connection';
import { runStartupBackup } from './startup-backup';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  if (config.backup.applyScheduleOnStart) {
    const client = await connectClient(config.temporal);
    for (const { spec, outcome } of await applySchedules(client, config)) console.log(`schedule ${spec.scheduleId}: ${outcome}`);
    await client.connection.close();
  }
  const { worker, close } = await createWorker(config);
  if (config.backup.runOnStart) {
    const client = await connectClient(config.temporal);
    try {
      await runStartupBackup(config, client, (line) => console.log(line));
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
