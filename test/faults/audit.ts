/**
 * What a fault left behind, checked against the bucket and the catalog: per target, exactly one success row
 * per backup of the given cycles, exactly that backup's objects in the bucket, no unfinished uploads, and
 * every object marked good really holding the bytes its manifest records.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Catalog } from '../../catalog/catalog';
import type { CairnConfig, Target } from '../../config/types';
import { ObjectStore } from '../../storage/s3';
import { manifestKey as manifestKeyOf, sidecarKey } from '../../storage/layout';
import type { Manifest } from '../../activities/types';
import type { TrialFinding } from './ledger';

export interface HistoryRow {
  backup_id: string;
  target: string;
  status: string;
  workflow_id: string;
  checksum: string | null;
  error_message: string | null;
}

export async function rowsOf(config: CairnConfig, workflowIds: string[]): Promise<HistoryRow[]> {
  const catalog = new Catalog(config.metadata);
  try {
    return (await catalog.pool.query<HistoryRow>('SELECT * FROM backup_history WHERE workflow_id = ANY($1) ORDER BY id', [workflowIds])).rows;
  } finally {
    await catalog.close();
  }
}

async function sha256Of(store: ObjectStore, key: string): Promise<{ sha256: string; size: number }> {
  const body = (await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }))).Body as Readable;
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) { hash.update(chunk as Buffer); size += (chunk as Buffer).length; }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Audits `targets` after the cycles `workflowIds` (run on `config`'s own bucket). A target with no success
 * row counts as lost; a success row whose manifest or objects do not hold what it claims counts as bad
 * marked good. Extra objects, duplicate rows or unfinished uploads throw: the bucket must hold exactly the
 * good backups.
 */
export async function auditBackups(config: CairnConfig, targets: Target[], workflowIds: string[]): Promise<TrialFinding> {
  const store = new ObjectStore(config.storage);
  const rows = await rowsOf(config, workflowIds);
  const finding: TrialFinding = { lost: 0, badMarkedGood: 0 };
  try {
    for (const t of targets) {
      const mine = rows.filter((r) => r.target === t.name);
      const good = mine.filter((r) => r.status === 'success');
      for (const wf of workflowIds) {
        const n = good.filter((r) => r.workflow_id === wf).length;
        if (n === 0) finding.lost++;
        if (n > 1) throw new Error(`${t.name}: ${n} success rows for cycle ${wf}`);
      }
      if (new Set(mine.map((r) => r.backup_id)).size !== mine.length) throw new Error(`${t.name}: a backup id has more than one row`);
      const expected: string[] = [];
      for (const row of good) {
        const manifestKey = manifestKeyOf(row.backup_id);
        const manifest = JSON.parse(await store.getText(manifestKey).catch(() => 'null')) as Manifest | null;
        if (!manifest || manifest.checksum !== row.checksum) { finding.badMarkedGood++; continue; }
        expected.push(manifestKey);
        for (const a of manifest.artifacts) {
          expected.push(a.key, sidecarKey(a.key));
          const stored = await sha256Of(store, a.key).catch(() => undefined);
          if (!stored || stored.sha256 !== a.sha256 || stored.size !== a.sizeBytes) finding.badMarkedGood++;
        }
      }
      const listed = (await store.list(`${t.type}/${t.name}/`)).map((o) => o.key).sort();
      const unexpected = listed.filter((k) => !expected.includes(k));
      if (unexpected.length) throw new Error(`${t.name}: objects no good backup accounts for: ${unexpected.join(', ')}`);
      const pending = await store.pendingUploads(`${t.type}/${t.name}/`);
      if (pending.length) throw new Error(`${t.name}: ${pending.length} unfinished upload(s) left`);
    }
    return finding;
  } finally {
    store.destroy();
  }
}
