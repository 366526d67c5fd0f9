/**
 * Which configured target an adopted archive belongs to, and (Qdrant) which collection a snapshot holds. A
 * layout that names a database (Clara's, the agentic platform's) maps to the target of that name or
 * database; one that names none (the AI platform's, Neo4j-to-R2's) to the only target of its type. Anything
 * else needs the operator's word (--map), never a guess.
 */
import type { Target } from '../config/types';
import { QdrantApi } from '../engines/qdrant/http';
import type { LegacyArchive } from './layouts';
import { Rejected } from './verify';

export interface AdoptChoices {
  /** legacy name (the <db> a layout names, or the type for layouts naming none) -> configured target name */
  map: Record<string, string>;
  /** the collection the AI platform's Qdrant snapshots hold (its layout does not say) */
  collection?: string;
}

/** The name --map uses for an archive: its database, or its type when the layout names no database. */
export const legacyName = (a: LegacyArchive): string => a.database ?? a.type;

export function resolveTarget(a: LegacyArchive, targets: Target[], choices: AdoptChoices): Target | string {
  const ofType = targets.filter((t) => t.type === a.type);
  const names = ofType.map((t) => t.name).join(', ') || 'none';
  const chosen = choices.map[legacyName(a)];
  if (chosen !== undefined) {
    const t = ofType.find((x) => x.name === chosen);
    return t ?? `--map ${legacyName(a)}=${chosen} names no configured ${a.type} target (${a.type} targets: ${names})`;
  }
  if (a.database) {
    const named = ofType.filter((t) => t.name === a.database || (t.type === 'postgres' && t.database === a.database));
    if (named.length === 1) return named[0]!;
  }
  if (ofType.length === 1) return ofType[0]!;
  if (ofType.length === 0) return `no ${a.type} target is configured to adopt it into`;
  return `${ofType.length} ${a.type} targets are configured (${names}) and its name (${legacyName(a)}) matches none: `
    + `say which with --map ${legacyName(a)}=<target>`;
}

/**
 * The AI platform's snapshot file names no collection: --collection says, or else the Qdrant target's only
 * collection (the platform snapshotted its one collection); with several, the operator must say.
 */
export async function snapshotCollection(target: Target, choices: AdoptChoices, cache: Map<string, string[]>): Promise<string> {
  if (choices.collection) return choices.collection;
  if (target.type !== 'qdrant') throw new Error(`target ${target.name} is not a qdrant target`);
  let live = cache.get(target.name);
  if (!live) {
    live = await new QdrantApi(target).collections().catch(() => []);
    cache.set(target.name, live);
  }
  if (live.length === 1) return live[0]!;
  throw new Rejected(`the AI platform's snapshot file does not name its collection, and qdrant target ${target.name} has `
    + `${live.length ? `${live.length} collections (${live.slice(0, 5).join(', ')})` : 'no collection to go by'}: say which with --collection NAME`);
}
