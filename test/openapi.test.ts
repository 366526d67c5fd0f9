/** /openapi.json describes exactly the server's routes, and every answer the real handlers give is documented. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Catalog } from '../catalog/catalog';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { serverRoutes, startServer } from '../server/start';
import { testConfig } from './support/stack';
import { request } from './support/http';

const KEY = `key-${randomUUID()}`;

test('every route is documented, every documented operation exists, and each answer it gives is a documented status', async () => {
  const config = testConfig('openapi', { CAIRN_TARGET_TYPES: 'postgres', CAIRN_HTTP_PORT: '0', CAIRN_API_KEYS: KEY, BACKUP_SCHEDULE_ID: `test-openapi-${randomUUID()}` });
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const temporal = await connectClient(config.temporal);
  const deps = { config: { ...config, ops: { ...config.ops, http: { ...config.ops.http, port: 0 } } }, catalog, store, temporal, log: () => undefined };
  const { server, url } = await startServer(deps);
  try {
    const doc = (await request(url, 'GET', '/openapi.json')).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>> }>();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    assert.deepEqual(serverRoutes(deps).map((r) => `${r.method} ${r.path}`).sort(), documented);

    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const concrete = path.replace('{key}', 'postgres_none_20200101_000000');
        const bodies = method === 'get' || method === 'delete' ? [undefined] : ['{}', '{"bogus":1}', '[]'];
        for (const key of [undefined, KEY]) {
          for (const body of bodies) {
            const res = await request(url, method.toUpperCase(), concrete, { ...(key ? { key } : {}), ...(body !== undefined ? { body } : {}) });
            assert.ok(String(res.status) in op.responses, `${method.toUpperCase()} ${path} (key: ${Boolean(key)}, body ${body}) answered ${res.status}, documented: ${Object.keys(op.responses).join(', ')}`);
            if (!key && op.security) assert.equal(res.status, 401);
            if (res.status >= 400 && !['/health', '/ready', '/'].includes(path)) assert.equal(typeof res.json<{ error: { message: string } }>().error.message, 'string');
          }
        }
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
    await temporal.connection.close();
    store.destroy();
    await catalog.close();
  }
});
