/**
 * Backup: one Qdrant snapshot per collection, streamed from Qdrant into storage, then deleted from the
 * server; plus the aliases (snapshots do not hold them) and each collection's params.
 * Each collection is its own point in time: there is no cross-collection consistency in Qdrant.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type ArtifactRecord, type BackupContext, type EngineBackupResult } from '../engine';
import { jsonSource, KIND_ALIASES, KIND_COLLECTIONS, KIND_SNAPSHOT, type AliasesDoc, type CollectionsDoc, type SnapshotMeta } from './artifacts';
import { QdrantApi, seg, type CollectionInfo } from './http';
import { whileServerWorks, withProgress } from './liveness';
import { collectionProof, firstReading, PROOF_FORMAT, sampleSizeFor, secondReading, type CollectionProof, type QdrantProof } from './proof';

interface SnapshotDescription { name: string; creation_time?: string | null; size: number; checksum?: string | null }

export async function backup(target: QdrantTarget, ctx: BackupContext): Promise<EngineBackupResult> {
  const api = new QdrantApi(target, ctx.signal);
  const { version, title } = await api.version();
  const names = await api.collections();
  const aliases = await api.aliases();
  ctx.log('qdrant backup starting', { server: title, version, collections: names.length, aliases: aliases.length });

  const artifacts: ArtifactRecord[] = [];
  const points: Record<string, number> = {};
  const snapshots: { collection: string; name: string; creationTime: string | null }[] = [];
  const collections: CollectionsDoc['collections'] = [];
  const proof: QdrantProof = { format: PROOF_FORMAT, sampleSize: sampleSizeFor(names.length), collections: {} };
  for (const name of names) {
    ctx.signal.throwIfAborted();
    ctx.heartbeat({ collection: name, step: 'snapshot' });
    let saved;
    try {
      saved = await backupCollection(api, name, proof.sampleSize, ctx);
    } catch (err) {
      if (!(await vanished(api, name, err))) throw err;
      ctx.log('collection was dropped while the backup ran; it is not in this backup', { collection: name });
      continue;
    }
    const { record, meta, params } = saved;
    proof.collections[name] = saved.proof;
    collections.push({ name, params });
    artifacts.push(record);
    points[name] = meta.pointsAfter;
    snapshots.push({ collection: name, name: meta.snapshotName, creationTime: meta.creationTime });
  }

  ctx.heartbeat({ step: 'aliases' });
  const aliasesDoc: AliasesDoc = { format: 'cairn-qdrant-aliases/1', aliases };
  artifacts.push(await writeJson(ctx, 'aliases', KIND_ALIASES, aliases.length, aliasesDoc));
  const collectionsDoc: CollectionsDoc = { format: 'cairn-qdrant-collections/1', collections };
  artifacts.push(await writeJson(ctx, 'collections', KIND_COLLECTIONS, collections.length, collectionsDoc));

  return {
    artifacts,
    sourceVersion: version,
    consistency: {
      method: 'one Qdrant snapshot per collection; each collection is consistent on its own, not with the others',
      server: title,
      snapshots,
      // Counts are exact, taken right after each snapshot: writes landing meanwhile can make them differ from it.
      countsTakenAfterEachSnapshot: true,
    },
    counts: { points },
    proof: proof as unknown as Record<string, unknown>,
  };
}

interface SavedCollection { record: ArtifactRecord; meta: SnapshotMeta; params: Record<string, unknown>; proof: CollectionProof }

async function backupCollection(api: QdrantApi, name: string, sampleSize: number, ctx: BackupContext): Promise<SavedCollection> {
  const info: CollectionInfo = await api.collectionInfo(name);
  const before = await firstReading(api, name, sampleSize, (ids) => ctx.heartbeat({ collection: name, step: 'sample', ids }));
  const pointsBefore = before.count;
  const snap = await whileServerWorks(api, () => ctx.heartbeat({ collection: name, step: 'snapshot' }),
    () => api.call<SnapshotDescription>('POST', `/collections/${seg(name)}/snapshots?wait=true`));
  const snapshotPath = `/collections/${seg(name)}/snapshots/${seg(snap.name)}`;
  let download: Readable | undefined;
  try {
    const after = await secondReading(api, name, before);
    const pointsAfter = after.count;
    ctx.heartbeat({ collection: name, step: 'download', snapshot: snap.name, bytes: snap.size });
    // fetch asks for gzip/br by default, and Qdrant then compresses the (already compact) snapshot on the fly:
    // measured 7 s instead of 0.1 s for 27 MB on the local stack, all of it CPU on the Qdrant server.
    const res = await api.send('GET', snapshotPath, { headers: { 'accept-encoding': 'identity' } });
    if (!res.body) throw new Error(`Qdrant sent no body for snapshot ${snap.name} of ${name}`);
    download = withProgress(Readable.fromWeb(res.body as NodeWebStream<Uint8Array>), (bytes) => ctx.heartbeat({ collection: name, step: 'download', bytes }));
    const meta: SnapshotMeta = {
      kind: KIND_SNAPSHOT, collection: name, snapshotName: snap.name, qdrantChecksum: snap.checksum ?? null,
      qdrantSize: snap.size, creationTime: snap.creation_time ?? null, pointsBefore, pointsAfter,
    };
    // Snapshots are tar archives of already-compact segments: gzip would cost CPU for little.
    const spec = { part: name, extension: 'snapshot', compress: false, contentType: 'application/octet-stream', meta: { ...meta } };
    const record = await ctx.writeArtifact(spec, download);
    if (meta.qdrantChecksum && record.sha256.toLowerCase() !== meta.qdrantChecksum.toLowerCase()) {
      throw new Error(`snapshot ${snap.name} of ${name}: stored SHA-256 ${record.sha256} differs from Qdrant's `
        + `${meta.qdrantChecksum}; the download was corrupted`);
    }
    if (record.sizeBytes !== snap.size) {
      throw new Error(`snapshot ${snap.name} of ${name}: stored ${record.sizeBytes} bytes, Qdrant reported ${snap.size}; the download was cut short`);
    }
    ctx.log('qdrant collection backed up', { collection: name, snapshot: snap.name, bytes: record.sizeBytes, points: pointsAfter });
    const proof = collectionProof(info, before, after);
    if (!proof.exact) ctx.log('collection was written to during its backup; its proof says so', { collection: name, note: proof.note });
    return { record, meta, params: info.config.params, proof };
  } finally {
    download?.destroy();
    await deleteSnapshot(api, name, snap.name, snapshotPath, ctx);
  }
}

/** A 404 for a collection no longer listed: dropped after the backup listed it, which is not an error. */
export async function vanished(api: QdrantApi, name: string, err: unknown): Promise<boolean> {
  return err instanceof PermanentError && err.kind === 'QdrantNotFound' && !(await api.collections()).includes(name);
}

function writeJson(ctx: BackupContext, part: string, kind: string, count: number, doc: unknown): Promise<ArtifactRecord> {
  return ctx.writeArtifact({ part, extension: 'json', compress: false, contentType: 'application/json', meta: { kind, count } }, jsonSource(doc));
}

/** Snapshots fill the server's disk; delete even after a failure, but a failed delete does not undo a good backup. */
async function deleteSnapshot(api: QdrantApi, collection: string, snapshot: string, path: string, ctx: BackupContext): Promise<void> {
  try {
    // The backup's abort signal may be why we are here; the delete must still go out.
    await api.withoutSignal().call('DELETE', `${path}?wait=true`);
  } catch (err) {
    ctx.log('could not delete the snapshot from the Qdrant server; delete it by hand to free its disk', {
      collection, snapshot, error: (err as Error).message,
    });
  }
}
