/**
 * The status page in a real headless Chromium (Debian's, installed by stack/tools.sh): it renders every
 * configured target with its charts and Temporal UI links; the screenshot is kept under dist/test-artifacts/.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Catalog } from '../catalog/catalog';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { startServer } from '../server/start';
import { testConfig, withWorker } from './support/stack';
import { runCycle } from './support/cycle';
import { createDatabase, dropDatabase, query } from './support/pg';
import { request } from './support/http';
import type { PostgresTarget } from '../config/types';

const ROOT = join(__dirname, '..', '..');
const KEY = `page-key-${randomUUID()}`;
const created: PostgresTarget[] = [];
// Asynchronously: the server and the proxy Chromium talks to run in this very process.
const run = promisify(execFile);
after(async () => { for (const db of created) await dropDatabase(db); });

/** Chromium on the command line cannot log in through the form: a local forwarder adds X-API-Key, as a reverse proxy would. */
async function keyAddingProxy(target: string): Promise<{ url: string; close(): void }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const up = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-api-key': KEY } }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => { server.closeAllConnections(); server.close(); } };
}

test('the status page renders every target, its charts and workflow links in headless Chromium', { timeout: 600_000 }, async () => {
  const chromium = execFileSync('bash', [join(ROOT, 'stack', 'tools.sh'), 'chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!;
  const db = await createDatabase('page');
  created.push(db);
  await query(db, 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100)');
  const never = `never-${randomUUID().slice(0, 8)}`;
  const config = testConfig('page', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: `${db.database},${never}`, CAIRN_API_KEYS: KEY });
  const cycle = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(cycle.results.find((r) => r.target === db.database)?.status, 'success');

  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const temporal = await connectClient(config.temporal);
  const { server, url } = await startServer({ config, catalog, store, temporal, log: () => undefined });
  const proxy = await keyAddingProxy(url);
  const loginWith = (key: string) => fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key }).toString() })
    .then((r) => ({ status: r.status, headers: { 'set-cookie': r.headers.get('set-cookie') } }));
  try {
    const form = await request(url, 'GET', '/');
    assert.equal(form.status, 401, 'the page needs a key');
    assert.match(form.text, /<form method="post" action="\/login">/, 'a browser is asked for one');
    assert.equal((await loginWith('not-the-key-0123456789')).status, 401);
    const login = await loginWith(KEY);
    assert.equal(login.status, 303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const page = await fetch(url, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`data-target="${db.database}"`));
    const { stdout: dom } = await run(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', proxy.url], { encoding: 'utf8', timeout: 120_000 });
    for (const name of [db.database, never]) assert.match(dom, new RegExp(`data-target="${name}"`), `${name} is shown`);
    assert.match(dom, new RegExp(`<section class="target breach" data-target="${never}">`), 'the never-backed-up target is out of objective');
    assert.match(dom, new RegExp(`<section class="target ok" data-target="${db.database}">`));
    assert.match(dom, /<svg[^>]+aria-label="size, last 30 days"/);
    assert.match(dom, /<polyline points="[\d.]+,[\d.]+"/, 'the size chart plots the backup');
    assert.ok(dom.includes(`/namespaces/default/workflows/${cycle.workflowId}`), 'links to the cycle in the Temporal UI');

    const dir = join(ROOT, 'dist', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'status-page.png');
    await run(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1280,1400', `--screenshot=${shot}`, proxy.url], { timeout: 120_000 });
    assert.ok(existsSync(shot) && statSync(shot).size > 10_000, `screenshot at ${shot}`);
  } finally {
    proxy.close();
    server.closeAllConnections();
    server.close();
    await temporal.connection.close();
    store.destroy();
    await catalog.close();
  }
});
