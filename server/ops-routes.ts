/** Probes for container orchestrators (no key), /metrics, the OpenAPI description and the status page. */
import type { StatusReport } from '../status/evaluate';
import type { KeyRing } from './auth';
import { jsonError, type Route } from './http';
import { renderMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { renderStatusPage } from './page';
import type { ServerDeps } from './start';

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Temporal's own worker metrics (from the SDK runtime's Prometheus endpoint), appended to Cairn's. */
async function sdkMetrics(port: number): Promise<string> {
  if (!port) return '';
  try {
    const res = await withTimeout(fetch(`http://127.0.0.1:${port}/metrics`), 2_000, 'the SDK metrics endpoint');
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

export function opsRoutes(d: ServerDeps & { status(): Promise<StatusReport>; keys: KeyRing }): Route[] {
  const { config } = d;
  const ready = async () => {
    const checks: { check: string; ok: boolean; detail: string }[] = [{ check: 'config', ok: true, detail: `${config.targets.length} target(s) configured` }];
    try {
      await withTimeout(d.temporal.workflowService.getSystemInfo({}), 3_000, 'Temporal');
      checks.push({ check: 'temporal', ok: true, detail: `connected to ${config.temporal.address}` });
      if (d.workerRunning) checks.push({ check: 'worker', ok: d.workerRunning(), detail: `this worker ${d.workerRunning() ? 'is' : 'is not'} polling '${config.temporal.taskQueue}'` });
      else {
        const q = await d.temporal.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name: config.temporal.taskQueue }, taskQueueType: 1 });
        const n = q.pollers?.length ?? 0;
        checks.push({ check: 'worker', ok: n > 0, detail: `${n} worker(s) polling '${config.temporal.taskQueue}'` });
      }
    } catch (err) {
      checks.push({ check: 'temporal', ok: false, detail: (err as Error).message.split('\n')[0]! });
    }
    const ok = checks.every((c) => c.ok);
    return { status: ok ? 200 : 503, json: { ready: ok, checks } };
  };
  return [
    { method: 'GET', path: '/live', pattern: /^\/live$/, access: 'none', handle: async () => ({ status: 200, json: { live: true } }) },
    { method: 'GET', path: '/health', pattern: /^\/health$/, access: 'none', handle: ready },
    { method: 'GET', path: '/ready', pattern: /^\/ready$/, access: 'none', handle: ready },
    { method: 'GET', path: '/metrics', pattern: /^\/metrics$/, access: 'none', async handle() {
      const report = await d.status().catch(() => undefined);
      return { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', text: renderMetrics(report) + await sdkMetrics(config.ops.http.sdkMetricsPort) };
    } },
    { method: 'GET', path: '/openapi.json', pattern: /^\/openapi\.json$/, access: 'none', handle: async () => ({ status: 200, json: openApiDocument() }) },
    { method: 'POST', path: '/login', pattern: /^\/login$/, access: 'none', async handle(req) {
      const body = await req.body() as { key?: unknown };
      const access = d.keys.accessOf(typeof body?.key === 'string' ? body.key : undefined);
      if (access === 'none') return jsonError(401, 'unauthorized', 'that key is not valid');
      // HttpOnly and SameSite=Strict: page scripts cannot read it and other sites cannot send it.
      return { status: 303, headers: { location: '/', 'set-cookie': `cairn_session=${d.keys.startSession(access)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200` }, json: { ok: true } };
    } },
    { method: 'GET', path: '/', pattern: /^\/$/, access: 'read', async handle() {
      return { status: 200, contentType: 'text/html; charset=utf-8', text: renderStatusPage(await d.status(), config) };
    } },
  ];
}
