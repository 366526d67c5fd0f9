/** The stand-in's in-memory collections, points and aliases, with Qdrant's rules for them. */
import { badInput, collectionNotFound, conflict, notFound, QdrantError, unsupported } from './errors';

export type PointId = number | string;
export interface VectorParams { size: number; distance: 'Cosine' | 'Euclid' | 'Dot' | 'Manhattan'; [k: string]: unknown }
/** As Qdrant reports it: one unnamed vector ({size, distance}) or named ones ({name: {size, distance}}). */
export type VectorsConfig = VectorParams | Record<string, VectorParams>;
/** Sparse vector params by name ({} each when defaults are used). */
export type SparseConfig = Record<string, Record<string, unknown>>;
export interface SparseVector { indices: number[]; values: number[] }
/** Dense, multi (one row per sub-vector) or sparse, as Qdrant returns them. */
export type StoredVector = number[] | number[][] | SparseVector;
export interface StoredPoint { id: PointId; vectors: Record<string, StoredVector>; payload: Record<string, unknown> }
export interface AliasAction {
  create_alias?: { alias_name: string; collection_name: string };
  delete_alias?: { alias_name: string };
  rename_alias?: { old_alias_name: string; new_alias_name: string };
}

export class Collection {
  readonly points = new Map<string, StoredPoint>();
  constructor(readonly name: string, readonly vectors: VectorsConfig, readonly sparse: SparseConfig | null = null) {}

  /** What recovery compares: a snapshot fits an existing collection only with the same vectors. */
  get shape(): string {
    return JSON.stringify({ vectors: this.vectors, sparse: this.sparse ?? {} });
  }

  get named(): boolean {
    return typeof this.vectors.size !== 'number';
  }

  /** Vector params by name; an unnamed vector is named "" as in Qdrant. */
  params(): Record<string, VectorParams> {
    return this.named ? (this.vectors as Record<string, VectorParams>) : { '': this.vectors as VectorParams };
  }

  /** Checks a point from an upsert and shapes it as stored; throws Qdrant's error when it does not fit. */
  prepare(point: { id: PointId; vector: unknown; payload?: Record<string, unknown> | null }): StoredPoint {
    const given: Record<string, unknown> = Array.isArray(point.vector) ? { '': point.vector } : (point.vector as Record<string, unknown>);
    const params = this.params();
    const vectors: Record<string, StoredVector> = {};
    for (const [name, value] of Object.entries(given)) {
      if (this.sparse?.[name]) vectors[name] = sparseVector(name, value);
      else if (params[name]) vectors[name] = denseVector(params[name], value);
      else throw badInput(`Not existing vector name error: ${name}`);
    }
    return { id: canonicalId(point.id), vectors, payload: point.payload ?? {} };
  }

  /** Stores a point as it is (snapshot recovery: vectors were normalised when first written). */
  put(point: StoredPoint): void {
    this.points.set(`${typeof point.id}:${point.id}`, point);
  }

  /** Points in Qdrant's scroll order: numeric ids ascending, then UUIDs. */
  sorted(): StoredPoint[] {
    return [...this.points.values()].sort((a, b) => compareIds(a.id, b.id));
  }
}

export class Store {
  readonly collections = new Map<string, Collection>();
  readonly aliases = new Map<string, string>();

  get(name: string): Collection {
    const c = this.collections.get(name) ?? this.collections.get(this.aliases.get(name) ?? '');
    if (!c) throw collectionNotFound(name);
    return c;
  }

  create(name: string, vectors: VectorsConfig | undefined, sparse: SparseConfig | null = null): void {
    checkCollectionName(name);
    if (this.collections.has(name)) throw conflict(`Collection \`${name}\` already exists!`);
    if (this.aliases.has(name)) throw conflict(`Alias with the same name \`${name}\` already exists!`);
    const named = sparse && Object.keys(sparse).length ? sparse : null;
    if (!vectors && !named) throw unsupported('collections without vectors');
    this.collections.set(name, new Collection(name, vectors ?? {}, named));
  }

  /** Puts a recovered collection in place, as snapshot recovery does: the URL's name wins over the snapshot's. */
  replace(collection: Collection): void {
    checkCollectionName(collection.name);
    this.collections.set(collection.name, collection);
  }

  delete(name: string): boolean {
    const existed = this.collections.delete(name);
    // Dropping a collection drops its aliases too.
    for (const [alias, target] of this.aliases) if (target === name) this.aliases.delete(alias);
    return existed;
  }

  /** Applies alias actions all-or-nothing, as Qdrant does. */
  changeAliases(actions: AliasAction[]): void {
    const next = new Map(this.aliases);
    for (const action of actions) {
      if (action.create_alias) {
        const { alias_name, collection_name } = action.create_alias;
        if (!this.collections.has(collection_name)) throw collectionNotFound(collection_name);
        if (this.collections.has(alias_name)) throw conflict(`Collection with the same name \`${alias_name}\` already exists!`);
        next.set(alias_name, collection_name);
      } else if (action.delete_alias) {
        next.delete(action.delete_alias.alias_name);
      } else if (action.rename_alias) {
        const { old_alias_name, new_alias_name } = action.rename_alias;
        const target = next.get(old_alias_name);
        if (target === undefined) throw notFound(`Alias ${old_alias_name} does not exists!`);
        next.delete(old_alias_name);
        next.set(new_alias_name, target);
      }
    }
    this.aliases.clear();
    for (const [k, v] of next) this.aliases.set(k, v);
  }
}

export function checkCollectionName(name: string): void {
  // Qdrant refuses these too; here they would also escape the snapshot directory.
  if (!name || name.length > 255 || /[<>:"/\\|?*\0\u001f]/.test(name) || name === '.' || name === '..') {
    throw new QdrantError(422, `Validation error in path parameters: [name: collection name "${name}" is empty, too long or contains forbidden characters]`);
  }
}

export function canonicalId(id: PointId): PointId {
  if (typeof id === 'number') return id;
  return id.replace(/^urn:uuid:/i, '').toLowerCase();
}

export function compareIds(a: PointId, b: PointId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function denseVector(p: VectorParams, value: unknown): number[] | number[][] {
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
  const fit = (v: number[]) => {
    if (v.length !== p.size) throw badInput(`Vector dimension error: expected dim: ${p.size}, got ${v.length}`);
    return stored(v, p.distance);
  };
  if (p.multivector_config) {
    if (!Array.isArray(value) || value.length === 0 || !value.every(numbers)) throw badInput('a multi-vector is a non-empty list of vectors');
    return value.map(fit);
  }
  if (!numbers(value)) throw badInput(`expected a dense vector (a list of numbers), got ${JSON.stringify(value).slice(0, 80)}`);
  return fit(value);
}

/** Qdrant keeps sparse vectors sorted by index, values as float32, not normalised. */
function sparseVector(name: string, value: unknown): SparseVector {
  const v = value as Partial<SparseVector> | null;
  if (!v || !Array.isArray(v.indices) || !Array.isArray(v.values)) throw badInput(`sparse vector ${name} needs indices and values`);
  if (v.indices.length !== v.values.length) throw badInput(`Sparse vector ${name}: indices and values must be the same length`);
  if (new Set(v.indices).size !== v.indices.length) throw badInput(`Sparse vector ${name}: indices must be unique`);
  const pairs = v.indices.map((index, k) => [index, float32(v.values![k])] as const).sort((a, b) => a[0] - b[0]);
  return { indices: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
}

/** Qdrant keeps float32 and stores Cosine vectors normalised. */
function stored(vector: number[], distance: string): number[] {
  let v = vector;
  if (distance === 'Cosine') {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm > 0) v = v.map((x) => x / norm);
  }
  return v.map(float32);
}

/** A float32 as Qdrant prints it: the shortest decimal that reads back as the same float32 (0.6, not 0.6000000238418579). */
function float32(x: number): number {
  const f = Math.fround(x);
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  return Number(f.toPrecision(9));
}
