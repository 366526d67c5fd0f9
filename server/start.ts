/**
 * Starts the HTTP server, inside the worker (CAIRN_HTTP_PORT) or alone (`cairn serve`). Loopback unless
 * CAIRN_HTTP_HOST says otherwise, and then only with API keys (config/ops.ts refuses the rest).
 */
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import type { BackupStore } from '../storage/store';
import { collectStatus } from '../status/collect';
import { redactDeep, secretsOf } from '../notify/redact';
import type { StatusReport } from '../status/evaluate';
import { apiRoutes } from './api';
import { KeyRing } from './auth';
import { createHttpServer, listen, type Route } from './http';
import { opsRoutes } from './ops-routes';

export interface ServerDeps {
  config: CairnConfig;
  catalog: Catalog;
  store: BackupStore;
  temporal: Client;
  /** in the worker: whether it is polling; `cairn serve` asks Temporal for pollers instead */
  workerRunning?: () => boolean;
  log?: (entry: Record<string, unknown>) => void;
}

/** The status, read at most every few seconds however often Prometheus or the page asks. */
function cachedStatus(deps: ServerDeps): () => Promise<StatusReport> {
  const secrets = secretsOf(deps.config);
  let last: { at: number; report: Promise<StatusReport> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 5_000) {
      // Error messages in the status come from drivers; the last guard before they leave Cairn.
      const report = collectStatus(deps).then((r) => redactDeep(r, secrets));
      last = { at: Date.now(), report };
      report.catch(() => { last = undefined; });
    }
    return last.report;
  };
}

export function serverRoutes(deps: ServerDeps, keys = keyRing(deps)): Route[] {
  const status = cachedStatus(deps);
  return [...opsRoutes({ ...deps, status, keys }), ...apiRoutes({ ...deps, status })];
}

const keyRing = (deps: ServerDeps) => new KeyRing(deps.config.ops.apiKeys, deps.config.ops.statusKeys);

export async function startServer(deps: ServerDeps): Promise<{ server: Server; url: string }> {
  const log = deps.log ?? ((e) => console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', ...e })));
  const { host, port } = deps.config.ops.http;
  const keys = keyRing(deps);
  const server = createHttpServer(serverRoutes(deps, keys), keys, log);
  const address = await listen(server, host, port);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log({ msg: `cairn http server listening on ${url}` });
  return { server, url };
}
