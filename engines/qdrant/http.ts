/**
 * Qdrant's REST API over Node's fetch. Plain fetch rather than @qdrant/js-client-rest: the client reads
 * bodies as text (corrupting snapshot bytes), throws on 202 and calls GET / in its constructor.
 */
import { Agent } from 'undici';
import type { QdrantTarget } from '../../config/types';
import { PermanentError } from '../engine';
import type { Alias } from './artifacts';

export type PointId = number | string;
export interface PointRecord { id: PointId; vector?: unknown; payload?: Record<string, unknown> | null }
/** The parts of GET /collections/{c} Cairn reads. */
export interface CollectionInfo {
  status: string;
  points_count?: number | null;
  config: { params: { vectors?: unknown; sparse_vectors?: unknown; [k: string]: unknown } };
}

/**
 * fetch gives up after 300 s without response headers, but Qdrant answers a `wait=true` snapshot of a large
 * collection only when it is done. No client-side limit here: the activity's heartbeat timeout catches a hung call.
 */
const patientAgent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connectTimeout: 10_000 });

/** A path segment (collection or snapshot name), escaped. */
export const seg = (name: string) => encodeURIComponent(name);

export class QdrantHttpError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'QdrantHttpError';
  }
}

export class QdrantApi {
  readonly base: string;

  constructor(private readonly target: QdrantTarget, private readonly signal?: AbortSignal) {
    this.base = target.url.replace(/\/+$/, '');
  }

  /** The same server without the abort signal, for clean-up that must go out even after a cancellation. */
  withoutSignal(): QdrantApi {
    return new QdrantApi(this.target);
  }

  /** Calls an endpoint answering Qdrant's envelope and returns its `result`. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const json = (await res.json()) as { result?: T };
    return json.result as T;
  }

  /** GET / answers VersionInfo itself, without the envelope. */
  async version(): Promise<{ title: string; version: string; commit?: string | null }> {
    const res = await this.send('GET', '/');
    return (await res.json()) as { title: string; version: string };
  }

  /** Collection names, sorted. */
  async collections(): Promise<string[]> {
    const res = await this.call<{ collections: { name: string }[] }>('GET', '/collections');
    return res.collections.map((c) => c.name).sort();
  }

  async aliases(): Promise<Alias[]> {
    return (await this.call<{ aliases: Alias[] }>('GET', '/aliases')).aliases;
  }

  async exactCount(collection: string): Promise<number> {
    return (await this.call<{ count: number }>('POST', `/collections/${seg(collection)}/points/count`, { exact: true })).count;
  }

  async collectionInfo(collection: string): Promise<CollectionInfo> {
    return this.call<CollectionInfo>('GET', `/collections/${seg(collection)}`);
  }

  /** The points with these ids that exist, with every vector and the whole payload. */
  async retrieve(collection: string, ids: PointId[]): Promise<PointRecord[]> {
    return this.call<PointRecord[]>('POST', `/collections/${seg(collection)}/points`, { ids, with_payload: true, with_vector: true });
  }

  /** One page of point ids in Qdrant's order, without vectors or payloads. */
  async scrollIds(collection: string, offset: PointId | null, limit: number): Promise<{ ids: PointId[]; next: PointId | null }> {
    const page = await this.call<{ points: { id: PointId }[]; next_page_offset?: PointId | null }>(
      'POST', `/collections/${seg(collection)}/points/scroll`, { offset, limit, with_payload: false, with_vector: false },
    );
    return { ids: page.points.map((p) => p.id), next: page.next_page_offset ?? null };
  }

  /** Whether the server answers GET / within 5 s (it needs no API key): alive, even when busy with a long call. */
  async answers(): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/`, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Sends a request; any answer but 200 becomes an error naming the call and Qdrant's message. */
  async send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    // Never logged or put in messages; redirects are refused so the key cannot follow one elsewhere.
    if (this.target.apiKey) headers.set('api-key', this.target.apiKey);
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, method, headers, signal: this.signal, redirect: 'error', dispatcher: patientAgent } as RequestInit);
    } catch (err) {
      if (this.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach Qdrant at ${this.base} (${method} ${path}): ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    if (res.status === 200) return res;
    const text = await res.text().catch(() => '');
    throw errorFor(res.status, `${method} ${path}`, qdrantMessage(text));
  }
}

/** Qdrant's own words: {"status":{"error":"..."}} for API errors, plain text from its auth layer. */
function qdrantMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { status?: { error?: string } | string };
    if (typeof parsed.status === 'object' && parsed.status?.error) return parsed.status.error;
  } catch {
    // not JSON
  }
  return text.slice(0, 500) || '(empty body)';
}

function errorFor(status: number, call: string, message: string): Error {
  if (status === 401 || status === 403) {
    return new PermanentError(`Qdrant rejected the API key (HTTP ${status}) on ${call}: ${message}`, 'QdrantAuthRejected');
  }
  if (status === 404) return new PermanentError(`Qdrant: not found (HTTP 404) on ${call}: ${message}`, 'QdrantNotFound');
  if (status === 202) {
    return new QdrantHttpError(`Qdrant accepted ${call} for background processing (202) although Cairn asked to wait`, status);
  }
  // 400/409/422: the request itself is wrong (bad checksum, name taken...); sending it again will not help.
  if (status === 400 || status === 409 || status === 422) {
    return new PermanentError(`Qdrant refused ${call} (HTTP ${status}): ${message}`, 'QdrantBadRequest');
  }
  return new QdrantHttpError(`Qdrant failed ${call} (HTTP ${status}): ${message}`, status);
}
