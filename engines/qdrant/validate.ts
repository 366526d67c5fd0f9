/**
 * Validation of stored Qdrant artifacts: each snapshot is read back in full as a tar archive and hashed;
 * the hash must match both Cairn's record and Qdrant's own checksum. Real snapshots hold binary segments
 * Cairn cannot count, so "agrees with the counts" means: the same collections, and the recorded counts.
 */
import type { ArtifactRecord, Counts, ReadContext } from '../engine';
import { classify, readJson, type AliasesDoc, type CollectionsDoc } from './artifacts';
import { withProgress } from './liveness';
import { inspectTar } from './tar-check';

export async function validate(artifacts: ArtifactRecord[], counts: Counts, ctx: ReadContext): Promise<void> {
  const { snapshots, aliases, collections } = classify(artifacts);
  if (!aliases) throw new Error('the backup has no aliases artifact (meta.kind qdrant-aliases)');
  if (!collections) throw new Error('the backup has no collections artifact (meta.kind qdrant-collections)');

  for (const a of snapshots) {
    ctx.signal.throwIfAborted();
    ctx.heartbeat({ collection: a.meta.collection, step: 'validate' });
    const where = `snapshot ${a.meta.snapshotName} of collection ${a.meta.collection} (${a.key})`;
    let summary;
    try {
      summary = await inspectTar(withProgress(await ctx.open(a), (bytes) => ctx.heartbeat({ collection: a.meta.collection, step: 'validate', bytes })));
    } catch (err) {
      throw new Error(`${where} is not a whole tar archive: ${(err as Error).message}`);
    }
    if (summary.entries === 0) throw new Error(`${where} is an empty tar archive`);
    if (!a.compressed && summary.sha256 !== a.sha256.toLowerCase()) {
      throw new Error(`${where}: checksum mismatch: read back SHA-256 ${summary.sha256}, recorded at backup ${a.sha256}`);
    }
    const qdrant = a.meta.qdrantChecksum?.toLowerCase();
    if (qdrant && summary.sha256 !== qdrant) {
      throw new Error(`${where}: checksum mismatch: read back SHA-256 ${summary.sha256}, Qdrant reported ${qdrant}`);
    }
    if (summary.bytes !== a.meta.qdrantSize) {
      throw new Error(`${where}: ${summary.bytes} bytes read back, Qdrant reported ${a.meta.qdrantSize}`);
    }
  }

  const aliasDoc = await readJson<AliasesDoc>(aliases, 'cairn-qdrant-aliases/1', ctx);
  if (!Array.isArray(aliasDoc.aliases) || aliasDoc.aliases.some((x) => typeof x?.alias_name !== 'string' || typeof x?.collection_name !== 'string')) {
    throw new Error(`aliases artifact ${aliases.key} does not hold a list of {alias_name, collection_name}`);
  }
  const collectionDoc = await readJson<CollectionsDoc>(collections, 'cairn-qdrant-collections/1', ctx);
  checkAgreement(snapshots.map((s) => s.meta), collectionDoc, counts);
}

function checkAgreement(snapshots: { collection: string; pointsAfter: number }[], doc: CollectionsDoc, counts: Counts): void {
  const inSnapshots = snapshots.map((s) => s.collection).sort();
  const inDoc = (doc.collections ?? []).map((c) => c.name).sort();
  const inCounts = Object.keys(counts.points ?? {}).sort();
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(inSnapshots, inDoc)) throw new Error(`collections with snapshots [${inSnapshots}] differ from the collections artifact [${inDoc}]`);
  if (!same(inSnapshots, inCounts)) throw new Error(`collections with snapshots [${inSnapshots}] differ from the recorded counts [${inCounts}]`);
  for (const s of snapshots) {
    if (counts.points[s.collection] !== s.pointsAfter) {
      throw new Error(`recorded count ${counts.points[s.collection]} for ${s.collection} differs from its snapshot's ${s.pointsAfter}`);
    }
  }
}
