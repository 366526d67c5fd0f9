/**
 * The object store (a private MinIO: the shared one stays up) stopped in the middle of an upload, for
 * `outageS` seconds: the cycle keeps retrying, completes once the store is back, the history shows the
 * retries, and the bucket holds exactly the one good backup.
 */
import { randomUUID } from 'node:crypto';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import type { BackupCycleResult } from '../../workflows/inputs';
import type { PostgresTarget } from '../../config/types';
import { connectClient } from '../../client/connection';
import { ObjectStore } from '../../storage/s3';
import { PrivateMinio } from '../support/private-minio';
import { auditBackups } from './audit';
import { faultQueue, postgresEntries, sleep, waitFor } from './queue';
import type { TrialFinding } from './ledger';

export async function storeOutage(db: PostgresTarget, outageS: number, log: (l: string) => void): Promise<TrialFinding> {
  const minio = await PrivateMinio.create();
  await minio.start();
  // A retry window a little longer than the outage (the default 30 minutes would do too, but ends later).
  const windowMinutes = String(Math.ceil(outageS / 60) + 2);
  const queue = faultQueue('fault-store', postgresEntries([db]), { MINIO_ENDPOINT: minio.endpoint, S3_PART_SIZE_MB: '5', CAIRN_RETRY_WINDOW_MINUTES: windowMinutes });
  const client = await connectClient(queue.config.temporal);
  const store = new ObjectStore(queue.config.storage);
  try {
    await queue.startWorker();
    const handle = await client.workflow.start('backupCycle', { taskQueue: queue.config.temporal.taskQueue, workflowId: `fault-store-${randomUUID()}`, args: [{}] });
    await waitFor('a multipart upload with a part stored', 300, async () => {
      for (const u of await store.pendingUploads(`postgres/${db.name}/`).catch(() => [])) {
        const parts = await store.client.send(new ListPartsCommand({ Bucket: store.bucket, Key: u.key, UploadId: u.uploadId }));
        if ((parts.Parts ?? []).length >= 1) return true;
      }
      return undefined;
    });
    await minio.stop();
    log(`store stopped mid-upload for ${outageS} s (retry window ${windowMinutes} min)`);
    await sleep(outageS * 1000);
    const during = await handle.describe();
    if (during.status.name !== 'RUNNING') throw new Error(`the cycle did not outlast the outage: ${during.status.name}`);
    await minio.start();
    const result = await handle.result() as BackupCycleResult;
    if (result.results[0]?.status !== 'success') throw new Error(`cycle results: ${JSON.stringify(result.results)}`);
    const events = (await handle.fetchHistory()).events ?? [];
    const attempts = Math.max(...events.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1));
    if (attempts < 2) throw new Error('the history shows no retry');
    log(`cycle completed after the outage; a step succeeded on attempt ${attempts}`);
    return await auditBackups(queue.config, [db], [handle.workflowId]);
  } finally {
    store.destroy();
    await client.connection.close();
    await queue.stopAll();
    await minio.destroy();
  }
}
