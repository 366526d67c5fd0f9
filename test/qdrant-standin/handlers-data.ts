/** Handlers for the service root, collections, aliases and points, keyed by the spec's operationId. */
import type { Handler } from './call';
import { unsupported } from './errors';
import { compareIds, canonicalId, type AliasAction, type PointId, type StoredPoint, type SparseConfig, type Store, type VectorsConfig } from './store';

export const STANDIN_TITLE = 'qdrant stand-in (cairn test double; not Qdrant)';
export const STANDIN_VERSION = '1.19.0';

interface PointsList {
  points?: { id: PointId; vector: unknown; payload?: Record<string, unknown> | null }[];
  batch?: unknown;
  shard_key?: unknown;
  update_filter?: unknown;
  update_mode?: string | null;
}
interface ScrollRequest { offset?: PointId | null; limit?: number | null; filter?: unknown; with_payload?: unknown; with_vector?: unknown; order_by?: unknown; shard_key?: unknown }
interface CountRequest { filter?: unknown; shard_key?: unknown }

export function dataHandlers(store: Store): Record<string, Handler> {
  let operationId = 0;
  const name = (params: Record<string, unknown>) => params.collection_name as string;

  return {
    root: async () => ({ raw: { title: STANDIN_TITLE, version: STANDIN_VERSION, commit: null } }),

    get_collections: async () => ({ result: { collections: [...store.collections.keys()].map((n) => ({ name: n })) } }),

    get_collection: async ({ params }) => ({ result: collectionInfo(store, name(params)) }),

    create_collection: async ({ params, body }) => {
      const req = (body ?? {}) as { vectors?: VectorsConfig; sparse_vectors?: SparseConfig | null };
      store.create(name(params), req.vectors, req.sparse_vectors ?? null);
      return { result: true };
    },

    delete_collection: async ({ params }) => ({ result: store.delete(name(params)) }),

    update_aliases: async ({ body }) => {
      store.changeAliases((body as { actions: AliasAction[] }).actions);
      return { result: true };
    },

    get_collections_aliases: async () => ({ result: { aliases: aliasList(store) } }),

    get_collection_aliases: async ({ params }) => {
      const collection = store.get(name(params));
      return { result: { aliases: aliasList(store).filter((a) => a.collection_name === collection.name) } };
    },

    upsert_points: async ({ params, body }) => {
      const req = body as PointsList;
      if (!req.points) throw unsupported('the batch form of upsert ({"batch": ...}); send {"points": [...]}');
      if (req.shard_key != null || req.update_filter != null || (req.update_mode ?? 'upsert') !== 'upsert') {
        throw unsupported('shard_key, update_filter and update_mode other than upsert');
      }
      const collection = store.get(name(params));
      // All points are checked before any is written, so a bad point leaves the collection as it was.
      const prepared = req.points.map((p) => collection.prepare(p));
      for (const p of prepared) collection.put(p);
      return { result: { operation_id: operationId++, status: params.wait === false ? 'acknowledged' : 'completed' } };
    },

    count_points: async ({ params, body }) => {
      const req = (body ?? {}) as CountRequest;
      if (req.filter != null || req.shard_key != null) throw unsupported('count with filter or shard_key');
      return { result: { count: store.get(name(params)).points.size } };
    },

    scroll_points: async ({ params, body }) => ({ result: scroll(store, name(params), (body ?? {}) as ScrollRequest) }),

    delete_points: async ({ params, body }) => {
      const req = body as { points?: PointId[]; filter?: unknown; shard_key?: unknown };
      if (!req.points || req.shard_key != null) throw unsupported('delete by filter or shard_key; send {"points": [ids]}');
      const collection = store.get(name(params));
      for (const id of req.points) collection.points.delete(`${typeof id}:${canonicalId(id)}`);
      return { result: { operation_id: operationId++, status: params.wait === false ? 'acknowledged' : 'completed' } };
    },

    get_points: async ({ params, body }) => {
      const req = body as { ids: PointId[]; with_payload?: unknown; with_vector?: unknown; shard_key?: unknown };
      if (req.shard_key != null) throw unsupported('retrieve with shard_key');
      const collection = store.get(name(params));
      const found = req.ids.map((id) => collection.points.get(`${typeof id}:${canonicalId(id)}`)).filter((p) => p !== undefined);
      return { result: found.map((p) => shapePoint(p, collection.named, req.with_payload ?? true, req.with_vector ?? false)) };
    },
  };
}

function aliasList(store: Store) {
  return [...store.aliases].map(([alias, collection]) => ({ alias_name: alias, collection_name: collection }));
}

function collectionInfo(store: Store, name: string) {
  const c = store.get(name);
  return {
    status: 'green',
    optimizer_status: 'ok',
    indexed_vectors_count: 0,
    points_count: c.points.size,
    segments_count: 1,
    config: {
      params: {
        vectors: c.vectors, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true,
        ...(c.sparse ? { sparse_vectors: c.sparse } : {}),
      },
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
      optimizer_config: {
        deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, max_segment_size: null,
        memmap_threshold: null, indexing_threshold: 10000, flush_interval_sec: 5, max_optimization_threads: null,
      },
      wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
      quantization_config: null,
    },
    payload_schema: {},
  };
}

function scroll(store: Store, name: string, req: ScrollRequest) {
  if (req.filter != null || req.order_by != null || req.shard_key != null) throw unsupported('scroll with filter, order_by or shard_key');
  const collection = store.get(name);
  const limit = req.limit ?? 10;
  const from = req.offset == null ? undefined : canonicalId(req.offset);
  const all = collection.sorted().filter((p) => from === undefined || compareIds(p.id, from) >= 0);
  const page = all.slice(0, limit);
  return {
    points: page.map((p) => shapePoint(p, collection.named, req.with_payload ?? true, req.with_vector ?? false)),
    next_page_offset: all[limit]?.id ?? null,
  };
}

function shapePoint(p: StoredPoint, named: boolean, withPayload: unknown, withVector: unknown) {
  return { id: p.id, payload: selectPayload(p.payload, withPayload), vector: selectVectors(p, named, withVector) };
}

function selectPayload(payload: Record<string, unknown>, how: unknown): Record<string, unknown> | null {
  if (how === true) return payload;
  if (how === false) return null;
  const include = Array.isArray(how) ? how : (how as { include?: string[] }).include;
  const exclude = (how as { exclude?: string[] }).exclude;
  if (include) return Object.fromEntries(Object.entries(payload).filter(([k]) => include.includes(k)));
  if (exclude) return Object.fromEntries(Object.entries(payload).filter(([k]) => !exclude.includes(k)));
  throw unsupported(`with_payload=${JSON.stringify(how)}`);
}

function selectVectors(p: StoredPoint, named: boolean, how: unknown): unknown {
  if (how === false) return null;
  if (!named) return p.vectors[''];
  const names = how === true ? Object.keys(p.vectors) : (how as string[]);
  return Object.fromEntries(Object.entries(p.vectors).filter(([n]) => names.includes(n)));
}
