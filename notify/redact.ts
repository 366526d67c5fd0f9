/**
 * The last guard before anything leaves Cairn (webhook bodies, API answers, logs): every configured secret is
 * replaced, and so is the password part of any URL or connection string. Workflows never see secrets, but an
 * error message from a driver could still quote one.
 */
import type { CairnConfig } from '../config/types';

export function secretsOf(config: CairnConfig): string[] {
  const out: (string | undefined)[] = [config.storage.accessKey, config.storage.secretKey, config.metadata.password, ...config.ops.apiKeys, ...config.ops.statusKeys,
    ...config.ops.webhooks.map((w) => w.url)];
  for (const t of config.targets) {
    if (t.type === 'qdrant') out.push(t.apiKey ?? '', t.drill?.apiKey ?? '');
    else out.push(t.password, t.drill?.password ?? '');
  }
  // Longest first, so a secret containing another is replaced whole; very short values would mangle ordinary words.
  return [...new Set(out.filter((s): s is string => s !== undefined && s.length >= 4))].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[redacted]@');
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/** redact() over every string in a JSON-like value (dates and numbers pass through). */
export function redactDeep<T>(value: T, secrets: string[]): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  }
  return value;
}
