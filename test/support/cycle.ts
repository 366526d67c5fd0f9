/** Running a backup cycle on the real stack and reading back what it left in the bucket and the catalog. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { CairnConfig } from '../../config/types';
import type { BackupCycleInput, BackupCycleResult } from '../../workflows/inputs';
import type { Manifest } from '../../activities/types';
import type { ArtifactRecord, Engine, ReadContext } from '../../engines/engine';
import type { Target } from '../../config/types';
import type { ObjectStore } from '../../storage/s3';
import { openStore } from '../../storage/open-store';
import { readVerified } from '../../storage/verified-read';
import { Catalog } from '../../catalog/catalog';

/** The cycle's per-target results, whether it succeeded or failed (a failed cycle carries them in its details). */
export async function runCycle(client: Client, config: CairnConfig, input: BackupCycleInput = {}, workflowId = `test-cycle-${randomUUID()}`) {
  try {
    const result: BackupCycleResult = await client.workflow.execute('backupCycle', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    return { workflowId, failed: false, results: result.results, pruned: result.pruned, error: undefined as string | undefined };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    // A cycle that got as far as backing up carries every target's result; one that failed earlier has none.
    const cause = err.cause as { message: string; details?: unknown[]; cause?: unknown };
    let inner = cause as { message: string; cause?: unknown };
    while (inner.cause) inner = inner.cause as typeof inner;
    const cycle = cause.details?.[0] as BackupCycleResult | undefined;
    const results = cycle?.results ?? [];
    return { workflowId, failed: true, results, pruned: cycle?.pruned ?? [], error: results.length ? cause.message : inner.message };
  }
}

export async function readManifest(config: CairnConfig, key: string): Promise<Manifest> {
  const store = openStore(config.storage);
  try {
    return JSON.parse(await store.getText(key)) as Manifest;
  } finally {
    store.destroy();
  }
}

export async function historyRows(config: CairnConfig, workflowId: string) {
  const catalog = new Catalog(config.metadata);
  try {
    return (await catalog.pool.query('SELECT * FROM backup_history WHERE workflow_id = $1 ORDER BY target', [workflowId])).rows;
  } finally {
    await catalog.close();
  }
}

/** A ReadContext over the bucket, as restore and validate get it. */
export function bucketReader(store: ObjectStore): ReadContext {
  return {
    open: async (artifact) => (await readVerified(store, artifact)).stream,
    heartbeat: () => undefined,
    signal: new AbortController().signal,
    log: () => undefined,
  };
}

/** Restores artifacts straight into `target` through an engine, as a restore workflow's activity would. */
export function restoreInto<T extends Target>(engine: Engine<T>, target: T, artifacts: ArtifactRecord[], ctx: ReadContext) {
  const dest = { target, label: target.name, key: `${target.type}/${target.name}`, rename: {}, created: false };
  return engine.restore(dest, { artifacts } as unknown as Manifest, ctx, { replace: false });
}
