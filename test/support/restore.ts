/** Running restoreBackup and drDrill on the real stack, and reading what they leave behind. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { CairnConfig } from '../../config/types';
import type { DrillReport } from '../../storage/format/reports';
import type { DrDrillInput, RestoreBackupInput, RestoreBackupResult } from '../../workflows/restore-inputs';

function failureOf(err: unknown): { message: string; details?: unknown } {
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause as { message: string; details?: unknown[]; cause?: unknown };
  let inner = cause as { message: string; cause?: unknown };
  while (inner.cause) inner = inner.cause as typeof inner;
  return { message: cause.details?.length ? cause.message : inner.message, details: cause.details?.[0] };
}

export async function runRestore(client: Client, config: CairnConfig, input: RestoreBackupInput | unknown) {
  const workflowId = `test-restore-${randomUUID()}`;
  try {
    const result: RestoreBackupResult = await client.workflow.execute('restoreBackup', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    return { workflowId, failed: false, result, error: undefined as string | undefined };
  } catch (err) {
    const f = failureOf(err);
    return { workflowId, failed: true, result: f.details as RestoreBackupResult | undefined, error: f.message };
  }
}

export async function runDrill(client: Client, config: CairnConfig, input: DrDrillInput = {}) {
  const workflowId = `test-drill-${randomUUID()}`;
  try {
    const report: DrillReport = await client.workflow.execute('drDrill', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    return { workflowId, failed: false, report, error: undefined as string | undefined };
  } catch (err) {
    const f = failureOf(err);
    return { workflowId, failed: true, report: f.details as DrillReport | undefined, error: f.message };
  }
}
