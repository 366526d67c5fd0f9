/** Before starting a workflow, make sure a worker will pick it up, instead of leaving the operator waiting. */
import type { Client } from '@temporalio/client';
import type { TemporalConfig } from '../config/types';

export async function requireWorker(client: Client, config: TemporalConfig): Promise<void> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: config.namespace, taskQueue: { name: config.taskQueue }, taskQueueType: 1, // workflow task queue
  });
  if (!res.pollers?.length) {
    throw new Error(`no Cairn worker is polling task queue '${config.taskQueue}' in namespace '${config.namespace}'; start one with \`npx cairn worker\``);
  }
}
