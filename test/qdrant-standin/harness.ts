/**
 * The Qdrant a test talks to: the one at $QDRANT_URL (with $QDRANT_API_KEY) when set; otherwise the local
 * stack's Qdrant when it is the real server (stack/services/qdrant.sh runs it where ../shared has it);
 * otherwise a fresh stand-in on an ephemeral port, with an API key so the key path is always exercised.
 * QDRANT_TEST_STANDIN=1 forces that fresh stand-in.
 */
import { randomUUID } from 'node:crypto';
import type { QdrantTarget } from '../../config/types';
import { startStandin, type Standin, type StandinOptions } from './server';
import type { Violation } from './journal';

export interface QdrantUnderTest {
  target: QdrantTarget;
  /** a real Qdrant (by what GET / says), not the stand-in */
  real: boolean;
  /** the stand-in, when no real Qdrant was given */
  standin?: Standin;
  /** Qdrant's envelope `result` of a JSON call; throws with the status and body otherwise */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** the raw response, for tests about status codes and bodies */
  fetch(method: string, path: string, init?: RequestInit): Promise<Response>;
  /** the stand-in's journal, its own or one on QDRANT_URL (empty against a real Qdrant) */
  journal(): Promise<{ violations: Violation[]; pitfalls: string[] }>;
  stop(): Promise<void>;
}

export async function qdrantUnderTest(): Promise<QdrantUnderTest> {
  if (process.env.QDRANT_TEST_STANDIN === '1') return standinUnderTest();
  const given = process.env.QDRANT_URL;
  const url = given ?? `http://127.0.0.1:${process.env.QDRANT_PORT ?? 6333}`;
  const title = await titleOf(url);
  if (given && title === undefined) throw new Error(`QDRANT_URL=${given} does not answer GET / like a Qdrant`);
  if (!given && (title === undefined || isStandin(title))) return standinUnderTest();
  return wrap({ type: 'qdrant', name: 'qdrant-under-test', url, apiKey: process.env.QDRANT_API_KEY || undefined }, !isStandin(title!));
}

const isStandin = (title: string) => /stand-in/i.test(title);

async function titleOf(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as { title?: string }).title ?? '' : undefined;
  } catch {
    return undefined;
  }
}

/** Always a local stand-in, for tests of the stand-in itself (it can be given misbehaving handlers). */
export async function standinUnderTest(opts: StandinOptions = {}): Promise<QdrantUnderTest> {
  const apiKey = opts.apiKey ?? `test-key-${randomUUID()}`;
  const standin = await startStandin({ port: 0, ...opts, apiKey });
  return wrap({ type: 'qdrant', name: 'qdrant-standin', url: standin.url, apiKey }, false, standin);
}

function wrap(target: QdrantTarget, real: boolean, standin?: Standin): QdrantUnderTest {
  const base = target.url.replace(/\/+$/, '');
  const doFetch = (method: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (target.apiKey) headers.set('api-key', target.apiKey);
    return fetch(base + path, { ...init, method, headers });
  };
  return {
    target,
    real,
    standin,
    fetch: doFetch,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await doFetch(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
      return (JSON.parse(text) as { result: T }).result;
    },
    async journal() {
      if (real) return { violations: [], pitfalls: [] };
      return (await (await fetch(`${base}/__standin/violations`)).json()) as { violations: Violation[]; pitfalls: string[] };
    },
    stop: async () => { await standin?.close(); },
  };
}
