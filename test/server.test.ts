/**
 * The HTTP server inside a real worker process: probes, keys, the backup API starting real workflows,
 * /metrics after a real cycle, refusals (traversal, protected, oversized) that leave the bucket untouched.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../config/load';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { backupPrefix } from '../storage/layout';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';
import { createDatabase, dropDatabase, query } from './support/pg';
import { freePort, request } from './support/http';
import type { PostgresTarget } from '../config/types';
import { dashboardTemporalSeries } from './support/promql';

const KEY = `write-key-${randomUUID()}`;
const READ_KEY = `read-key-${randomUUID()}`;
const suffix = randomUUID().slice(0, 8);
let db: PostgresTarget;
let worker: WorkerProcess;
let client: Client;
let store: ObjectStore;
let base: string;
let env: Record<string, string>;
const config = () => loadConfig({ ...process.env, ...env });

before(async () => {
  db = await createDatabase('http');
  await query(db, 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 50)');
  const port = await freePort();
  env = {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, TEMPORAL_TASK_QUEUE: `test-http-${suffix}`, BACKUP_BUCKET: `test-http-${suffix}`,
    BACKUP_SCHEDULE_ID: `test-http-${suffix}`, CAIRN_HTTP_PORT: String(port), CAIRN_SDK_METRICS_PORT: String(await freePort()),
    CAIRN_API_KEYS: KEY, CAIRN_STATUS_KEYS: READ_KEY,
  };
  base = `http://127.0.0.1:${port}`;
  worker = startWorkerProcess(env);
  await worker.ready;
  client = await connectClient(config().temporal);
  store = new ObjectStore(config().storage);
});
after(async () => {
  await client?.schedule.getHandle(env.BACKUP_SCHEDULE_ID!).delete().catch(() => undefined);
  await client?.connection.close();
  store?.destroy();
  await worker?.kill('SIGTERM');
  if (db) await dropDatabase(db);
});

async function waitFor(workflowId: string) {
  return client.workflow.getHandle(workflowId).result();
}

test('probes answer without a key; /ready says the worker is polling', async () => {
  assert.equal((await request(base, 'GET', '/live')).status, 200);
  const ready = await request(base, 'GET', '/ready');
  assert.equal(ready.status, 200, ready.text);
  assert.deepEqual(ready.json<{ checks: { check: string; ok: boolean }[] }>().checks.map((c) => [c.check, c.ok]), [['config', true], ['temporal', true], ['worker', true]]);
  assert.equal((await request(base, 'GET', '/health')).status, 200);
});

test('every API route refuses a missing or wrong key (401), and a read-only key may not write (403)', async () => {
  const routes: [string, string][] = [['POST', '/backup/create'], ['GET', '/backup/list'], ['POST', '/backup/restore'], ['DELETE', '/backup/postgres_x_20260101_000000'],
    ['GET', '/backup/status'], ['POST', '/backup/force-sync'], ['GET', '/']];
  for (const [method, path] of routes) {
    for (const key of [undefined, 'wrong-key-0123456789', KEY.slice(0, -1)]) {
      const res = await request(base, method, path, { ...(key ? { key } : {}), body: '{}' });
      assert.equal(res.status, 401, `${method} ${path} with key ${key}`);
      if (path !== '/') assert.equal(res.json<{ error: { code: string } }>().error.code, 'unauthorized');
    }
  }
  assert.equal((await request(base, 'GET', '/backup/list', { key: READ_KEY })).status, 200);
  assert.equal((await request(base, 'POST', '/backup/create', { key: READ_KEY, body: '{}' })).status, 403);
});

test('POST /backup/create starts a cycle seen in the Temporal UI; /metrics and /backup/list then show it', { timeout: 300_000 }, async () => {
  const bad = await request(base, 'POST', '/backup/create', { key: KEY, body: JSON.stringify({ targets: ['nope'] }) });
  assert.equal(bad.status, 400);
  assert.match(bad.json<{ error: { message: string } }>().error.message, /unknown target\(s\) nope/);
  assert.equal((await request(base, 'POST', '/backup/create', { key: KEY, body: '{not json' })).status, 400);
  assert.equal((await request(base, 'POST', '/backup/create', { key: KEY, body: JSON.stringify({ pad: 'x'.repeat(70_000) }) }).catch(() => ({ status: 413 }))).status, 413);

  const res = await request(base, 'POST', '/backup/create', { key: KEY, body: JSON.stringify({ targets: [db.database] }) });
  assert.equal(res.status, 202, res.text);
  const started = res.json<{ workflowId: string; url: string }>();
  assert.match(started.url, new RegExp(`/namespaces/default/workflows/${started.workflowId}/`));
  const ui = await fetch(`${new URL(started.url).origin}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="${started.workflowId}"`)}`);
  assert.equal((await ui.json() as { executions: { type: { name: string } }[] }).executions[0]?.type.name, 'backupCycle');
  const cycle = await waitFor(started.workflowId) as { results: { backupId: string; sizeBytes: number }[] };
  const [backup] = cycle.results;

  await new Promise((r) => setTimeout(r, 5_500)); // the status behind /metrics is cached for 5 seconds
  const metrics = (await request(base, 'GET', '/metrics')).text;
  const labels = `{target="${db.database}",type="postgres"}`;
  assert.match(metrics, new RegExp(`^cairn_backup_last_size_bytes${labels} ${backup!.sizeBytes}$`, 'm'));
  const ts = Number(new RegExp(`^cairn_backup_last_success_timestamp_seconds${labels.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(metrics)?.[1]);
  assert.ok(Math.abs(ts - Date.now() / 1000) < 600, `last success ${ts}`);
  assert.match(metrics, new RegExp(`^cairn_objective_breach\\{target="${db.database}",type="postgres",objective="rpo"\\} 0$`, 'm'));
  assert.match(metrics, /^cairn_backup_last_duration_seconds\{.*\} \d/m);
  assert.match(metrics, /^temporal_\w+/m, 'the Temporal SDK worker metrics are appended');
  for (const series of dashboardTemporalSeries()) assert.match(metrics, new RegExp(`^${series}[{ ]`, 'm'), `the dashboard's ${series} is exported`);

  const list = await request(base, 'GET', `/backup/list?target=${db.database}`, { key: KEY });
  assert.deepEqual(list.json<{ backups: { backupId: string; status: string }[] }>().backups.map((b) => [b.backupId, b.status]), [[backup!.backupId, 'success']]);
  assert.equal((await request(base, 'GET', '/backup/list?limit=0', { key: KEY })).status, 400);

  const restore = await request(base, 'POST', '/backup/restore', { key: KEY, body: JSON.stringify({ type: 'postgres', backupId: backup!.backupId, validateOnly: true }) });
  assert.equal(restore.status, 202, restore.text);
  const restoreRun = await client.workflow.getHandle(restore.json<{ workflowId: string }>().workflowId).describe();
  assert.equal(restoreRun.type, 'restoreBackup');
  assert.equal(restoreRun.taskQueue, env.TEMPORAL_TASK_QUEUE);
  assert.equal((await request(base, 'POST', '/backup/restore', { key: KEY, body: JSON.stringify({ type: 'mysql' }) })).status, 400);

  // Keys that try to leave the backup's prefix are refused before the bucket is touched.
  const objects = async () => (await store.list('')).map((o) => o.key).sort();
  const protectedKey = `${backupPrefix(backup!.backupId).replace(/[^/]+$/, '')}_${backup!.backupId}.manifest.json`;
  await store.putText(protectedKey, '{}', 'application/json');
  const beforeRefusals = await objects();
  for (const key of ['..%2F..%2Fsets', '../../sets', '%2e%2e%2f%2e%2e%2fsets', '%252e%252e%252fsets', '/etc/passwd', `${backup!.backupId}%00`, '%2Fpostgres', `${backup!.backupId}/..`, '%E0%A4%A']) {
    const refused = await request(base, 'DELETE', `/backup/${key}`, { key: KEY });
    assert.equal(refused.status, 400, `DELETE /backup/${key}: ${refused.text}`);
  }
  const protectedRes = await request(base, 'DELETE', `/backup/_${backup!.backupId}`, { key: KEY });
  assert.equal(protectedRes.status, 409);
  assert.equal(protectedRes.json<{ error: { code: string } }>().error.code, 'protected');
  assert.deepEqual(await objects(), beforeRefusals, 'no refused request changed the bucket');

  const deleted = await request(base, 'DELETE', `/backup/${backup!.backupId}`, { key: KEY });
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual((await objects()).filter((k) => k.includes(backup!.backupId)), [protectedKey]);
  assert.equal((await request(base, 'DELETE', `/backup/${backup!.backupId}`, { key: KEY })).status, 200, 'its catalog row still exists, so a repeat succeeds');
  assert.equal((await request(base, 'DELETE', '/backup/postgres_nothing_20200101_000000', { key: KEY })).status, 404);
});

test('POST /backup/force-sync triggers the backup schedule, or says there is none', { timeout: 300_000 }, async () => {
  assert.equal((await request(base, 'POST', '/backup/force-sync', { key: KEY })).status, 404);
  const { applySchedule } = await import('../client/schedules');
  await applySchedule(client, config());
  assert.equal((await request(base, 'POST', '/backup/force-sync', { key: KEY })).status, 202);
  let workflowId: string | undefined;
  for (let i = 0; i < 30 && !workflowId; i++) {
    workflowId = (await client.schedule.getHandle(env.BACKUP_SCHEDULE_ID!).describe()).info.recentActions[0]?.action.workflow.workflowId;
    if (!workflowId) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(workflowId, 'the schedule started a workflow');
  await waitFor(workflowId!);
});

test('cairn serve runs the same server without a worker, and its /ready counts the worker polling elsewhere', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'cairn.js'), 'serve'], { env: { ...process.env, ...env, CAIRN_HTTP_PORT: String(port), CAIRN_SDK_METRICS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('listening on')) resolve(); });
      child.on('exit', (code) => reject(new Error(`cairn serve exited ${code}: ${out}`)));
    });
    const ready = await request(`http://127.0.0.1:${port}`, 'GET', '/ready');
    assert.equal(ready.status, 200, ready.text);
    assert.match(ready.text, /1 worker\(s\) polling/);
    assert.equal((await request(`http://127.0.0.1:${port}`, 'GET', '/backup/status', { key: READ_KEY })).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
});
