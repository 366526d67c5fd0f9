/**
 * Restore: every check that can refuse runs before anything is written; then each snapshot is streamed to
 * Qdrant's upload endpoint under its destination name, with its checksum and an explicit priority, checked
 * (count, vector config), and, when restoring in place, the aliases are recreated last. A failure deletes the
 * collections this restore created, so a failed restore leaves nothing half-made behind.
 */
import { randomUUID } from 'node:crypto';
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type ArtifactRecord, type Destination, type ReadContext, type RestoreOptions, type RestoreOutcome } from '../engine';
import type { Manifest } from '../../storage/format/manifest';
import { classify, readJson, type Alias, type AliasesDoc, type CollectionsDoc, type SnapshotMeta } from './artifacts';
import { collectionNameProblem } from './destination';
import { canonicalJson } from './fingerprint';
import { QdrantApi, seg } from './http';
import { whileServerWorks, withProgress } from './liveness';
import { multipartFile } from './multipart';
import { vectorConfig } from './proof';

type Snapshot = ArtifactRecord & { meta: SnapshotMeta };
interface Step { snapshot: Snapshot; from: string; to: string; replaces: boolean }

export async function restore(dest: Destination<QdrantTarget>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions): Promise<RestoreOutcome> {
  const api = new QdrantApi(dest.target, ctx.signal);
  const { snapshots, aliases, collections } = classify(manifest.artifacts);
  if (snapshots.length === 0 && !aliases) throw new PermanentError('nothing to restore: no Qdrant snapshot or aliases artifact given');
  const aliasDoc = aliases ? await readJson<AliasesDoc>(aliases, 'cairn-qdrant-aliases/1', ctx) : undefined;
  const paramsDoc = collections ? await readJson<CollectionsDoc>(collections, 'cairn-qdrant-collections/1', ctx) : undefined;

  const existing = new Set(await api.collections());
  const existingAliases = new Map((await api.aliases()).map((a) => [a.alias_name, a.collection_name]));
  const steps = plan(snapshots, dest, existing, existingAliases, opts);
  const inPlace = steps.every((s) => s.from === s.to);
  const restoring = new Set(steps.map((s) => s.from));
  const backedUpAliases = (aliasDoc?.aliases ?? []).filter((a) => restoring.has(a.collection_name));
  const aliasActions = inPlace ? aliasPlan(backedUpAliases, existing, existingAliases, opts, dest) : [];

  const notes: string[] = [];
  const created: string[] = [];
  try {
    for (const step of steps) {
      ctx.signal.throwIfAborted();
      ctx.heartbeat({ collection: step.to, step: 'upload' });
      const room = step.replaces ? await makeRoom(api, step, paramsDoc) : { note: undefined, deleted: false };
      if (room.note) notes.push(room.note);
      if (!step.replaces || room.deleted) created.push(step.to);
      await upload(api, step, ctx);
      ctx.heartbeat({ collection: step.to, step: 'verify' });
      await verify(api, step, paramsDoc, ctx);
    }
    if (aliasActions.length) {
      ctx.heartbeat({ step: 'aliases' });
      await api.call('POST', '/collections/aliases', { actions: aliasActions });
    }
  } catch (err) {
    throw await undo(api, created, err, ctx);
  }
  if (!inPlace && backedUpAliases.length) {
    notes.push(`aliases ${backedUpAliases.map((a) => a.alias_name).join(', ')} not recreated: they belong to the original collection names`);
  }
  ctx.log('qdrant restore done', { into: dest.label, collections: steps.map((s) => s.to), aliases: aliasActions.length });
  return { notes };
}

function plan(snapshots: Snapshot[], dest: Destination<QdrantTarget>, existing: Set<string>, aliases: Map<string, string>, opts: RestoreOptions): Step[] {
  const steps = snapshots.map((snapshot) => {
    const from = snapshot.meta.collection;
    return { snapshot, from, to: dest.rename[from] ?? from, replaces: existing.has(dest.rename[from] ?? from) };
  });
  const seen = new Set<string>();
  for (const { from, to, replaces } of steps) {
    const problem = collectionNameProblem(to);
    if (problem) throw new PermanentError(`cannot restore collection ${from} as ${JSON.stringify(to)}: the name ${problem}`, 'QdrantBadDestination');
    if (seen.has(to)) throw new PermanentError(`two collections of the backup would both be restored as "${to}"`, 'QdrantBadDestination');
    seen.add(to);
    if (aliases.has(to)) {
      throw new PermanentError(`"${to}" is an alias of collection ${aliases.get(to)} on ${dest.label}; a collection cannot take its name: `
        + 'delete the alias or restore under another name', 'QdrantCollectionExists');
    }
    if (replaces && !opts.replace) {
      throw new PermanentError(`collection "${to}" already exists on ${dest.label}; restore into a new name, `
        + 'or replace it (force)', 'QdrantCollectionExists');
    }
  }
  return steps;
}

/** Alias actions that make the backed-up aliases true again; taken names are refused unless replacing. */
function aliasPlan(wanted: Alias[], existing: Set<string>, current: Map<string, string>, opts: RestoreOptions, dest: Destination<QdrantTarget>): unknown[] {
  const actions: unknown[] = [];
  for (const a of wanted) {
    const now = current.get(a.alias_name);
    if (now === a.collection_name) continue;
    if (existing.has(a.alias_name)) {
      throw new PermanentError(`alias "${a.alias_name}" cannot be recreated on ${dest.label}: a collection has that name`, 'QdrantAliasExists');
    }
    if (now !== undefined) {
      if (!opts.replace) {
        throw new PermanentError(`alias "${a.alias_name}" is already taken on ${dest.label} (by collection ${now}); `
          + 'drop it first, or replace (force)', 'QdrantAliasExists');
      }
      actions.push({ delete_alias: { alias_name: a.alias_name } });
    }
    actions.push({ create_alias: { alias_name: a.alias_name, collection_name: a.collection_name } });
  }
  return actions;
}

/**
 * Qdrant's recovery replaces an existing collection in one step (keeping its aliases), but only when the
 * vector configuration is the same; otherwise the old collection has to go first.
 */
async function makeRoom(api: QdrantApi, step: Step, paramsDoc: CollectionsDoc | undefined): Promise<{ note: string; deleted: boolean }> {
  const count = await api.exactCount(step.to);
  const recorded = paramsDoc?.collections.find((c) => c.name === step.from)?.params;
  const now = vectorConfig(await api.collectionInfo(step.to));
  const same = recorded !== undefined
    && canonicalJson(now) === canonicalJson({ vectors: recorded.vectors ?? null, sparseVectors: recorded.sparse_vectors ?? null });
  if (same) return { note: `collection ${step.to} replaced (it held ${count} points)`, deleted: false };
  await api.call('DELETE', `/collections/${seg(step.to)}`);
  const note = `collection ${step.to} deleted and restored (it held ${count} points; its vector configuration differed, so its aliases went with it)`;
  return { note, deleted: true };
}

async function upload(api: QdrantApi, step: Step, ctx: ReadContext): Promise<void> {
  const a = step.snapshot;
  const uploadName = `cairn-restore-${randomUUID()}.snapshot`;
  const checksum = (a.meta.qdrantChecksum ?? (a.compressed ? undefined : a.sha256))?.toLowerCase();
  // priority=snapshot always: the snapshot is the truth; "replica" would leave a new collection empty.
  const query = `wait=true&priority=snapshot${checksum ? `&checksum=${checksum}` : ''}`;
  const beat = (progress: Record<string, unknown>) => ctx.heartbeat({ collection: step.to, step: 'upload', ...progress });
  const source = withProgress(await ctx.open(a), (bytes) => beat({ bytes }));
  try {
    // Qdrant keeps an uploaded snapshot in the collection's snapshot directory under this name: one of our own,
    // so the clean-up below can never delete an operator's snapshot.
    const form = multipartFile('snapshot', uploadName, source);
    let sent = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield* form.body;
      sent = true; // from here on Qdrant is loading the snapshot, with nothing to report until it answers
    }
    await whileServerWorks(api, () => beat({ loading: true }), () => api.send('POST', `/collections/${seg(step.to)}/snapshots/upload?${query}`, {
      body: body(),
      headers: { 'content-type': form.contentType },
      duplex: 'half',
    }), () => sent);
  } catch (err) {
    const message = `restoring collection ${step.from} as ${step.to} from ${a.key} failed: ${(err as Error).message}`;
    throw err instanceof PermanentError ? new PermanentError(message, err.kind) : new Error(message, { cause: err });
  } finally {
    source.destroy();
    await forgetUpload(api, step.to, uploadName, ctx);
  }
  ctx.log('qdrant collection uploaded', { collection: step.from, as: step.to, bytes: a.sizeBytes });
}

/**
 * The uploaded file stays on the server's disk (a full copy of the collection) after a recovery, and after one
 * refused over an existing collection: delete it. Where no collection is left, Qdrant kept nothing.
 */
async function forgetUpload(api: QdrantApi, collection: string, uploadName: string, ctx: ReadContext): Promise<void> {
  try {
    await api.withoutSignal().call('DELETE', `/collections/${seg(collection)}/snapshots/${seg(uploadName)}?wait=true`);
  } catch (err) {
    if (err instanceof PermanentError && err.kind === 'QdrantNotFound') return;
    ctx.log('could not delete the uploaded snapshot from the Qdrant server; delete it by hand to free its disk', {
      collection, snapshot: uploadName, error: (err as Error).message,
    });
  }
}

async function verify(api: QdrantApi, step: Step, paramsDoc: CollectionsDoc | undefined, ctx: ReadContext): Promise<void> {
  const { meta } = step.snapshot;
  const count = await api.exactCount(step.to);
  // An adopted snapshot (storage/format/adopted.ts) has no recorded counts: nothing to hold the count against.
  if (meta.pointsAfter === undefined) return;
  if (meta.pointsBefore === meta.pointsAfter && count !== meta.pointsAfter) {
    throw new Error(`restored collection ${step.to} has ${count} points, the backup counted ${meta.pointsAfter}`);
  }
  if (meta.pointsBefore !== meta.pointsAfter) {
    // Writes landed while the snapshot was taken; its exact content lies between the two counts.
    ctx.log('collection was written to during its backup; restored count not checked exactly', {
      collection: step.to, count, before: meta.pointsBefore, after: meta.pointsAfter,
    });
  }
  const recorded = paramsDoc?.collections.find((c) => c.name === step.from)?.params;
  if (recorded !== undefined) {
    const want = { vectors: recorded.vectors ?? null, sparseVectors: recorded.sparse_vectors ?? null };
    const actual = vectorConfig(await api.collectionInfo(step.to));
    if (canonicalJson(actual) !== canonicalJson(want)) {
      throw new Error(`restored collection ${step.to} has vector config ${canonicalJson(actual)}, the backup recorded ${canonicalJson(want)}`);
    }
  }
}

/** Deletes what this restore created; the original failure stays the error, with what was cleaned up. */
async function undo(api: QdrantApi, created: string[], err: unknown, ctx: ReadContext): Promise<Error> {
  const left: string[] = [];
  for (const name of created) {
    try {
      await api.withoutSignal().call('DELETE', `/collections/${seg(name)}`);
    } catch (cleanup) {
      left.push(name);
      ctx.log('could not delete a collection this failed restore created; delete it by hand', { collection: name, error: (cleanup as Error).message });
    }
  }
  const error = err as Error;
  const done = created.length === 0 ? '' : left.length
    ? ` (could not delete collection(s) ${left.join(', ')} it created: delete them by hand)`
    : ` (the collection(s) it created were deleted: ${created.join(', ')})`;
  error.message += done;
  return error;
}
