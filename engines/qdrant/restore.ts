/**
 * Restore: every check that can refuse runs before anything is written (collections and aliases must be
 * absent); then each snapshot is streamed to Qdrant's upload endpoint with its checksum and an explicit
 * priority, checked (count, vector params), and the aliases are recreated last.
 */
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type ArtifactRecord, type ReadContext } from '../engine';
import { classify, readJson, type AliasesDoc, type CollectionsDoc, type SnapshotMeta } from './artifacts';
import { QdrantApi, seg } from './http';
import { multipartFile } from './multipart';

export async function restore(target: QdrantTarget, artifacts: ArtifactRecord[], ctx: ReadContext): Promise<void> {
  const api = new QdrantApi(target, ctx.signal);
  const { snapshots, aliases, collections } = classify(artifacts);
  if (snapshots.length === 0 && !aliases) throw new PermanentError('nothing to restore: no Qdrant snapshot or aliases artifact given');
  const restoring = new Set(snapshots.map((s) => s.meta.collection));
  const aliasDoc = aliases ? await readJson<AliasesDoc>(aliases, 'cairn-qdrant-aliases/1', ctx) : undefined;
  const paramsDoc = collections ? await readJson<CollectionsDoc>(collections, 'cairn-qdrant-collections/1', ctx) : undefined;

  const existing = new Set(await api.collections());
  const existingAliases = new Map((await api.aliases()).map((a) => [a.alias_name, a.collection_name]));
  for (const name of restoring) {
    if (existing.has(name) || existingAliases.has(name)) {
      throw new PermanentError(`collection "${name}" already exists on ${target.name} (${api.base}); restore only into an `
        + 'absent collection: drop it or restore to another target', 'QdrantCollectionExists');
    }
  }
  const wanted = (aliasDoc?.aliases ?? []).filter((a) => restoring.has(a.collection_name));
  for (const a of wanted) {
    const taken = existingAliases.get(a.alias_name) ?? (existing.has(a.alias_name) ? `collection ${a.alias_name}` : undefined);
    if (taken) throw new PermanentError(`alias "${a.alias_name}" is already taken on ${target.name} (by ${taken}); drop it first`, 'QdrantAliasExists');
  }

  for (const a of snapshots) {
    ctx.signal.throwIfAborted();
    ctx.heartbeat({ collection: a.meta.collection, step: 'upload' });
    await upload(api, a, ctx);
    ctx.heartbeat({ collection: a.meta.collection, step: 'verify' });
    await verify(api, a.meta, paramsDoc, ctx);
  }

  if (wanted.length) {
    ctx.heartbeat({ step: 'aliases' });
    const actions = wanted.map((a) => ({ create_alias: { alias_name: a.alias_name, collection_name: a.collection_name } }));
    await api.call('POST', '/collections/aliases', { actions });
  }
  const skipped = (aliasDoc?.aliases ?? []).filter((a) => !restoring.has(a.collection_name));
  if (skipped.length) ctx.log('aliases of collections not restored were skipped', { aliases: skipped.map((a) => a.alias_name) });
  ctx.log('qdrant restore done', { collections: [...restoring], aliases: wanted.length });
}

async function upload(api: QdrantApi, a: ArtifactRecord & { meta: SnapshotMeta }, ctx: ReadContext): Promise<void> {
  const checksum = (a.meta.qdrantChecksum ?? (a.compressed ? undefined : a.sha256))?.toLowerCase();
  // priority=snapshot always: the snapshot is the truth; "replica" would leave a new collection empty.
  const query = `wait=true&priority=snapshot${checksum ? `&checksum=${checksum}` : ''}`;
  const source = await ctx.open(a);
  try {
    const form = multipartFile('snapshot', a.meta.snapshotName, source);
    await api.send('POST', `/collections/${seg(a.meta.collection)}/snapshots/upload?${query}`, {
      body: form.body,
      headers: { 'content-type': form.contentType },
      duplex: 'half',
    });
  } catch (err) {
    const message = `restoring collection ${a.meta.collection} from ${a.key} failed: ${(err as Error).message}`;
    throw err instanceof PermanentError ? new PermanentError(message, err.kind) : new Error(message, { cause: err });
  } finally {
    source.destroy();
  }
  ctx.log('qdrant collection uploaded', { collection: a.meta.collection, bytes: a.sizeBytes });
}

async function verify(api: QdrantApi, meta: SnapshotMeta, paramsDoc: CollectionsDoc | undefined, ctx: ReadContext): Promise<void> {
  const count = await api.exactCount(meta.collection);
  if (meta.pointsBefore === meta.pointsAfter && count !== meta.pointsAfter) {
    throw new Error(`restored collection ${meta.collection} has ${count} points, the backup counted ${meta.pointsAfter}`);
  }
  if (meta.pointsBefore !== meta.pointsAfter) {
    // Writes landed while the snapshot was taken; its exact content lies between the two counts.
    ctx.log('collection was written to during its backup; restored count not checked exactly', {
      collection: meta.collection, count, before: meta.pointsBefore, after: meta.pointsAfter,
    });
  }
  const recorded = paramsDoc?.collections.find((c) => c.name === meta.collection)?.params.vectors;
  if (recorded !== undefined) {
    const info = await api.call<{ config: { params: { vectors?: unknown } } }>('GET', `/collections/${seg(meta.collection)}`);
    const actual = JSON.stringify(info.config.params.vectors);
    if (actual !== JSON.stringify(recorded)) {
      throw new Error(`restored collection ${meta.collection} has vector params ${actual}, the backup recorded ${JSON.stringify(recorded)}`);
    }
  }
}
