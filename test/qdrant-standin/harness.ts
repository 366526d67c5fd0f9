/**
 * The Qdrant a test talks to: the real one at $QDRANT_URL (with $QDRANT_API_KEY) when set, otherwise a
 * fresh stand-in on an ephemeral port, with an API key so the key path is always exercised.
 */
import { randomUUID } from 'node:crypto';
import type { QdrantTarget } from '../../config/types';
import { startStandin, type Standin, type StandinOptions } from './server';
import type { Violation } from './journal';

export interface QdrantUnderTest {
  target: QdrantTarget;
  /** the stand-in, when no real Qdrant was given */
  standin?: Standin;
  /** Qdrant's envelope `result` of a JSON call; throws with the status and body otherwise */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** the raw response, for tests about status codes and bodies */
  fetch(method: string, path: string, init?: RequestInit): Promise<Response>;
  /** the stand-in's journal (empty against a real Qdrant) */
  journal(): Promise<{ violations: Violation[]; pitfalls: string[] }>;
  stop(): Promise<void>;
}

export const realQdrant = () => Boolean(process.env.QDRANT_URL);

export async function qdrantUnderTest(): Promise<QdrantUnderTest> {
  if (!process.env.QDRANT_URL) return standinUnderTest();
  return wrap({ type: 'qdrant', name: 'qdrant-under-test', url: process.env.QDRANT_URL, apiKey: process.env.QDRANT_API_KEY || undefined });
}

/** Always a local stand-in, for tests of the stand-in itself (it can be given misbehaving handlers). */
export async function standinUnderTest(opts: StandinOptions = {}): Promise<QdrantUnderTest> {
  const apiKey = opts.apiKey ?? `test-key-${randomUUID()}`;
  const standin = await startStandin({ port: 0, ...opts, apiKey });
  return wrap({ type: 'qdrant', name: 'qdrant-standin', url: standin.url, apiKey }, standin);
}

function wrap(target: QdrantTarget, standin?: Standin): QdrantUnderTest {
  const base = target.url.replace(/\/+$/, '');
  const doFetch = (method: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (target.apiKey) headers.set('api-key', target.apiKey);
    return fetch(base + path, { ...init, method, headers });
  };
  return {
    target,
    standin,
    fetch: doFetch,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await doFetch(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
      return (JSON.parse(text) as { result: T }).result;
    },
    async journal() {
      if (!standin) return { violations: [], pitfalls: [] };
      return (await (await fetch(`${standin.url}/__standin/violations`)).json()) as { violations: Violation[]; pitfalls: string[] };
    },
    stop: async () => { await standin?.close(); },
  };
}
