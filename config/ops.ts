/**
 * Operations settings: recovery objectives checked by `cairn status` and the hourly objective check, the HTTP
 * server (health, metrics, API, status page), its API keys, and webhook notifications.
 */
import type { Target } from './types';
import { ConfigError } from './errors';
import { bool, int, secret, str, type Source } from './read';

export type WebhookFormat = 'slack' | 'json';

export interface Webhook {
  format: WebhookFormat;
  /** the full URL is a secret (Slack's carries its token): it stays in the worker's memory */
  url: string;
  /** what messages and logs may say about it: number, format and host */
  label: string;
}

export interface OpsConfig {
  /** per target name: how old its newest successful backup may be */
  rpoMs: Record<string, number>;
  /** a backup this many percent larger or smaller than the previous one is flagged */
  sizeChangePercent: number;
  objectiveCheck: { schedule: string; scheduleId: string };
  http: { host: string; port: number; sdkMetricsPort: number };
  /** full access to the API; statusKeys may only read (status page, status, list) */
  apiKeys: string[];
  statusKeys: string[];
  webhooks: Webhook[];
  notifyOnSuccess: boolean;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export function opsConfig(src: Source, targets: Target[], cron: (src: Source, key: string, fallback: string) => string): OpsConfig {
  const defaultRpo = int(src, 'OBJECTIVE_RPO_HOURS', 25, 1, 24 * 366);
  const overrides = rpoOverrides(str(src, 'OBJECTIVE_RPO_HOURS_BY_TARGET', ''), targets);
  const httpPort = int(src, 'CAIRN_HTTP_PORT', 0, 0, 65535);
  const host = str(src, 'CAIRN_HTTP_HOST', '127.0.0.1');
  const apiKeys = keyList(secret(src, 'CAIRN_API_KEYS', 'CAIRN_API_KEYS_FILE', ''), 'CAIRN_API_KEYS');
  if (!LOOPBACK.includes(host) && httpPort && !apiKeys.length) {
    throw new ConfigError('CAIRN_HTTP_HOST', `is '${host}', off loopback, but CAIRN_API_KEYS is empty: set API keys before exposing the server`);
  }
  return {
    rpoMs: Object.fromEntries(targets.map((t) => [t.name, (overrides[t.name] ?? defaultRpo) * 3_600_000])),
    sizeChangePercent: int(src, 'OBJECTIVE_SIZE_CHANGE_PERCENT', 50, 1, 100_000),
    objectiveCheck: {
      schedule: cron(src, 'OBJECTIVE_CHECK_SCHEDULE', '0 * * * *'),
      scheduleId: str(src, 'OBJECTIVE_CHECK_SCHEDULE_ID', 'cairn-objective-check'),
    },
    http: { host, port: httpPort, sdkMetricsPort: int(src, 'CAIRN_SDK_METRICS_PORT', httpPort ? Math.min(httpPort + 1, 65535) : 0, 0, 65535) },
    apiKeys,
    statusKeys: keyList(secret(src, 'CAIRN_STATUS_KEYS', 'CAIRN_STATUS_KEYS_FILE', ''), 'CAIRN_STATUS_KEYS'),
    webhooks: webhooks(secret(src, 'CAIRN_WEBHOOKS', 'CAIRN_WEBHOOKS_FILE', '')),
    notifyOnSuccess: bool(src, 'CAIRN_NOTIFY_ON_SUCCESS', false),
  };
}

/** `app=6,graph=48`: hours per target name; a name that is not a target is a typo worth stopping for. */
function rpoOverrides(raw: string, targets: Target[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, hours] = item.split('=').map((s) => s.trim());
    if (!name || !targets.some((t) => t.name === name)) {
      throw new ConfigError('OBJECTIVE_RPO_HOURS_BY_TARGET', `names '${name ?? ''}', which is not a configured target (${targets.map((t) => t.name).join(', ')})`);
    }
    out[name] = int({ [`OBJECTIVE_RPO_HOURS_BY_TARGET.${name}`]: hours }, `OBJECTIVE_RPO_HOURS_BY_TARGET.${name}`, NaN, 1, 24 * 366);
    if (Number.isNaN(out[name])) throw new ConfigError('OBJECTIVE_RPO_HOURS_BY_TARGET', `entry '${item}' must be <target>=<hours>`);
  }
  return out;
}

/** Keys separated by commas, spaces or new lines (a key file holds one per line); short keys are guessable. */
function keyList(raw: string, key: string): string[] {
  const keys = raw.split(/[\s,]+/).filter(Boolean);
  if (keys.some((k) => k.length < 16)) throw new ConfigError(key, 'holds a key shorter than 16 characters; use long random keys (openssl rand -hex 24)');
  return keys;
}

/** `slack:https://hooks.slack.com/...`, `json:https://ops.example/hook`, separated by commas, spaces or lines. */
function webhooks(raw: string): Webhook[] {
  return raw.split(/[\s,]+/).filter(Boolean).map((item, i) => {
    const m = /^(slack|json):(https?:\/\/.+)$/.exec(item);
    // Never echo the entry itself: its URL may carry a token.
    if (!m) throw new ConfigError('CAIRN_WEBHOOKS', `entry ${i + 1} must be slack:<https URL> or json:<https URL>`);
    let host: string;
    try {
      host = new URL(m[2]!).host;
    } catch {
      throw new ConfigError('CAIRN_WEBHOOKS', `entry ${i + 1} has a URL that cannot be parsed`);
    }
    return { format: m[1] as WebhookFormat, url: m[2]!, label: `webhook ${i + 1} (${m[1]}, ${host})` };
  });
}
