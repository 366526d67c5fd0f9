/** Helpers for deployments that name a server by host and port variables instead of a URL. */
import { ConfigError } from '../errors';
import { bool, port } from '../read';
import type { Settings } from '../settings';

const HOST = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]+\]$/;

export function hostName(s: Settings, key: string): string {
  const host = s.raw(key)!;
  if (!HOST.test(host)) throw new ConfigError(key, `must be a host name or IP address (no scheme, port or path), got '${host}'`);
  return host;
}

/** Two URLs name the same server when host and port agree (bolt:// and neo4j:// reach one Neo4j alike). */
export function sameServer(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.hostname === y.hostname && (x.port || defaultPort(x)) === (y.port || defaultPort(y));
  } catch {
    return a === b;
  }
}

function defaultPort(u: URL): string {
  return { 'http:': '80', 'https:': '443' }[u.protocol] ?? '7687';
}

/** The one value of several variables that mean the same thing (NEO4J_PORT, NEO4J_BOLT_PORT); disagreeing is an error. */
export function agreeingPort(s: Settings, keys: string[]): { key: string; port: number } | undefined {
  let found: { key: string; port: number } | undefined;
  for (const key of keys.filter((k) => s.has(k))) {
    const p = port(s.values, key, 0);
    if (found && found.port !== p) throw new ConfigError(found.key, `and ${key} both set the port but disagree ('${found.port}' and '${p}'); set only one`);
    found ??= { key, port: p };
  }
  return found;
}

export function agreeingBool(s: Settings, keys: string[]): { key: string; value: boolean } | undefined {
  let found: { key: string; value: boolean } | undefined;
  for (const key of keys.filter((k) => s.has(k))) {
    const v = bool(s.values, key, false);
    if (found && found.value !== v) throw new ConfigError(found.key, `and ${key} disagree ('${String(found.value)}' and '${String(v)}'); set only one`);
    found ??= { key, value: v };
  }
  return found;
}

/**
 * Sets `urlKey` (e.g. NEO4J_URI) from `hostKey` and the port variables when the deployment names its server
 * that way. Port variables alone keep their local-stack meaning (stackAddress) and are not compared.
 */
export function serverFromHostPort(s: Settings, opts: { urlKey: string; hostKey: string; portKeys: string[]; triggers: string[]; scheme: string; defaultPort: number }): void {
  if (!opts.triggers.some((k) => s.has(k))) return;
  const host = s.has(opts.hostKey) ? hostName(s, opts.hostKey) : '127.0.0.1';
  const p = agreeingPort(s, opts.portKeys);
  const from = [s.has(opts.hostKey) ? opts.hostKey : undefined, p?.key].filter(Boolean).join(' + ');
  s.assign(opts.urlKey, `${opts.scheme}://${host}:${p?.port ?? opts.defaultPort}`, from, sameServer);
}
