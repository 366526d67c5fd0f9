/**
 * The artifacts a Qdrant backup is made of, told apart by meta.kind (not by part: a collection may well be
 * called "aliases"), and the JSON documents Cairn writes beside the snapshots.
 */
import { Readable } from 'node:stream';
import type { ArtifactRecord, ReadContext } from '../engine';

export const KIND_SNAPSHOT = 'qdrant-collection-snapshot';
export const KIND_ALIASES = 'qdrant-aliases';
export const KIND_COLLECTIONS = 'qdrant-collections';

export interface SnapshotMeta {
  kind: typeof KIND_SNAPSHOT;
  collection: string;
  snapshotName: string;
  /** SHA-256 Qdrant reported for the snapshot file; null when it did not say */
  qdrantChecksum: string | null;
  qdrantSize: number;
  creationTime: string | null;
  /** exact counts just before and just after the snapshot; equal means no writes landed meanwhile */
  pointsBefore: number;
  pointsAfter: number;
}

export interface Alias { alias_name: string; collection_name: string }
export interface AliasesDoc { format: 'cairn-qdrant-aliases/1'; aliases: Alias[] }
/** Collection params as GET /collections/{c} reported them (vectors, shards, payload storage...). */
export interface CollectionsDoc { format: 'cairn-qdrant-collections/1'; collections: { name: string; params: Record<string, unknown> }[] }

export interface Classified {
  snapshots: (ArtifactRecord & { meta: SnapshotMeta })[];
  aliases?: ArtifactRecord;
  collections?: ArtifactRecord;
}

export function classify(artifacts: ArtifactRecord[]): Classified {
  const out: Classified = { snapshots: [] };
  for (const a of artifacts) {
    const kind = a.meta?.kind;
    if (kind === KIND_SNAPSHOT) out.snapshots.push(a as ArtifactRecord & { meta: SnapshotMeta });
    else if (kind === KIND_ALIASES) out.aliases = a;
    else if (kind === KIND_COLLECTIONS) out.collections = a;
    else throw new Error(`artifact ${a.key} (part "${a.part}") has no Qdrant meta.kind; it was not written by Cairn's Qdrant engine`);
  }
  return out;
}

export function jsonSource(doc: unknown): Readable {
  return Readable.from([Buffer.from(`${JSON.stringify(doc, null, 2)}\n`)]);
}

/** Reads a small JSON artifact back and checks its format tag. */
export async function readJson<T extends { format: string }>(a: ArtifactRecord, format: T['format'], ctx: ReadContext): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of (await ctx.open(a)) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024 * 1024) throw new Error(`artifact ${a.key} is over 64 MiB: not one of Cairn's Qdrant JSON documents`);
    chunks.push(chunk);
  }
  let doc: T;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (err) {
    throw new Error(`artifact ${a.key} is not valid JSON: ${(err as Error).message}`);
  }
  if (doc?.format !== format) throw new Error(`artifact ${a.key} has format ${JSON.stringify(doc?.format)}, expected ${format}`);
  return doc;
}
