/**
 * Notifications, the objective check, search attributes and the secret scan, on a real worker process with
 * distinctive secrets configured: a locked-out target (wrong password), a webhook URL with a token, API keys.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { loadConfig } from '../config/load';
import { connectClient } from '../client/connection';
import { ensureSearchAttributes } from '../client/search-attributes';
import { ObjectStore } from '../storage/s3';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';
import { createDatabase, dropDatabase, query, adminTarget } from './support/pg';
import { webhookReceiver } from './support/webhooks';
import { historyText } from './support/history-text';
import type { PostgresTarget } from '../config/types';
import type { ObjectiveCheckResult } from '../workflows/objective-check';

const id = randomUUID().slice(0, 8);
const SECRETS = {
  pgPassword: `pg-pw-${randomUUID()}`, drillPassword: `drill-pw-${randomUUID()}`, hookToken: `hook-token-${randomUUID()}`,
  apiKey: `api-key-${randomUUID()}`, statusKey: `status-key-${randomUUID()}`, minioSecret: 'cairn-secret',
};
const locked = `locked-${id}`;
const workers: WorkerProcess[] = [];
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
let db: PostgresTarget;
let client: Client;
let env: Record<string, string>;
const started: string[] = [];

before(async () => {
  receiver = await webhookReceiver();
  db = await createDatabase('ops');
  await query(db, 'CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 20)');
  const dir = mkdtempSync(join(tmpdir(), 'cairn-ops-'));
  writeFileSync(join(dir, 'config.yaml'), [
    'targets:',
    `  - { type: postgres, name: ${db.database}, host: ${db.host}, port: ${db.port}, user: ${db.user}, password: ${db.password}, database: ${db.database},`,
    `      drill: { host: ${db.host}, port: ${db.port}, user: ${db.user}, password: ${SECRETS.drillPassword} } }`,
    `  - { type: postgres, name: ${locked}, host: ${db.host}, port: ${db.port}, user: ${db.user}, password: ${SECRETS.pgPassword}, database: ${db.database} }`,
  ].join('\n'));
  env = {
    CAIRN_CONFIG: join(dir, 'config.yaml'), TEMPORAL_TASK_QUEUE: `test-ops-${id}`, BACKUP_BUCKET: `test-ops-${id}`,
    BACKUP_SCHEDULE_ID: `test-ops-${id}`, DRILL_SCHEDULE_ID: `test-ops-drill-${id}`, OBJECTIVE_CHECK_SCHEDULE_ID: `test-ops-objectives-${id}`,
    CAIRN_WEBHOOKS: `slack:${receiver.url}/slack json:${receiver.url}/json?token=${SECRETS.hookToken}`,
    CAIRN_API_KEYS: SECRETS.apiKey, CAIRN_STATUS_KEYS: SECRETS.statusKey,
  };
  client = await connectClient(loadConfig({ ...process.env, ...env }).temporal);
  await ensureSearchAttributes(client, 'default');
  const w = startWorkerProcess(env);
  workers.push(w);
  await w.ready;
});
after(async () => {
  for (const w of workers) await w.kill('SIGTERM');
  await client?.connection.close();
  await receiver?.close();
  if (db) await dropDatabase(db);
});

async function run<T>(type: string, args: unknown[], queue = env.TEMPORAL_TASK_QUEUE!): Promise<{ result?: T; error?: WorkflowFailedError }> {
  const workflowId = `test-ops-${type}-${randomUUID()}`;
  started.push(workflowId);
  try {
    return { result: await client.workflow.execute(type, { taskQueue: queue, workflowId, args }) as T };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { error: err };
    throw err;
  }
}

test('a target that is down: one failure webhook per destination naming it and why; the run is one search away in the UI', { timeout: 300_000 }, async () => {
  const { error } = await run('backupCycle', [{}]);
  assert.ok(error, 'the cycle fails');
  const workflowId = started.at(-1)!;
  const [slack] = await receiver.waitFor(1, '/slack');
  const [json] = await receiver.waitFor(1, '/json');
  assert.match(String(slack!.body.text), new RegExp(`backup failed: ${locked}`));
  assert.ok(Array.isArray(slack!.body.blocks));
  assert.match(slack!.raw, /password authentication failed/);
  assert.equal(json!.body.kind, 'backup');
  assert.equal(json!.body.outcome, 'failed');
  assert.equal(json!.body.workflowId, workflowId);
  const targets = json!.body.targets as { target: string; reason: string }[];
  assert.deepEqual(targets.map((t) => t.target), [locked]);
  assert.match(targets[0]!.reason, /password authentication failed/);

  const query = `CairnKind = 'backup' AND CairnTarget = '${locked}' AND CairnOutcome = 'failed'`;
  let found: string[] = [];
  for (let i = 0; i < 30 && !found.includes(workflowId); i++) {
    found = [];
    for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
    if (!found.includes(workflowId)) await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(found, [workflowId]);
  // Worker logs are JSON lines; an activity's carry its workflow and activity ids.
  const lines = workers[0]!.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const delivered = lines.filter((l) => l.msg === 'notification delivered' && l.workflowId === workflowId);
  assert.equal(delivered.length, 2, 'one log line per destination');
  assert.ok(delivered.every((l) => l.activityId && l.activityType === 'sendNotification' && l.level === 'info'));
  const described = await client.workflow.getHandle(workflowId).describe();
  assert.match(String(described.memo?.cairnSummary), /backup: failed/);
});

test('the objective check notifies a breach once, stays quiet while it lasts, and notifies once when it clears', { timeout: 300_000 }, async () => {
  const count = () => receiver.received.filter((r) => r.path === '/json').length;
  const check = async () => (await run<ObjectiveCheckResult>('objectiveCheck', [{}])).result!;
  const first = await check();
  assert.deepEqual(first.newlyBreached, [`${locked}:rpo`], 'the good target is within its RPO, the locked one never backed up');
  const objectiveBodies = () => receiver.received.filter((r) => r.path === '/json' && r.body.kind === 'objective');
  await receiver.waitFor(2, '/json');
  assert.equal(objectiveBodies().length, 1);
  assert.deepEqual((await check()).newlyBreached, []);
  const quiet = count();

  await query(adminTarget(), `UPDATE backup_history SET timestamp = timestamp - interval '30 hours' WHERE target = $1`, [db.database]);
  const stale = await check();
  assert.deepEqual(stale.newlyBreached, [`${db.database}:rpo`]);
  await receiver.waitFor(quiet + 1, '/json');
  const breach = objectiveBodies().at(-1)!.body;
  assert.equal(breach.outcome, 'breach');
  assert.match(String(breach.detail), /past its RPO objective of 25\.0 h/);
  assert.deepEqual((await check()).newlyBreached, [], 'an hour later the same breach is not notified again');
  assert.equal(count(), quiet + 1);

  await query(adminTarget(), `UPDATE backup_history SET timestamp = timestamp + interval '30 hours' WHERE target = $1`, [db.database]);
  const cleared = await check();
  assert.deepEqual(cleared.resolved, [`${db.database}:rpo`]);
  await receiver.waitFor(quiet + 2, '/json');
  assert.equal(objectiveBodies().at(-1)!.body.outcome, 'resolved');
  assert.equal(count(), quiet + 2);
});

test('a webhook that keeps failing is retried, recorded in the bucket, and never fails the backup', { timeout: 400_000 }, async () => {
  const queue = `test-ops-broken-${id}`;
  const brokenEnv = {
    CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database, TEMPORAL_TASK_QUEUE: queue, BACKUP_BUCKET: queue,
    CAIRN_WEBHOOKS: `json:${receiver.url}/broken json:${receiver.url}/success?token=${SECRETS.hookToken}`, CAIRN_NOTIFY_ON_SUCCESS: 'true',
  };
  const w = startWorkerProcess(brokenEnv);
  workers.push(w);
  await w.ready;
  const { result, error } = await run<{ results: { status: string }[] }>('backupCycle', [{}], queue);
  assert.equal(error, undefined);
  assert.equal(result!.results[0]!.status, 'success');
  const [ok] = await receiver.waitFor(1, '/success');
  assert.equal(ok!.body.outcome, 'succeeded');
  const store = new ObjectStore(loadConfig({ ...process.env, ...brokenEnv }).storage);
  try {
    const [record] = (await store.list('notifications/undelivered/')).map((o) => o.key);
    assert.ok(record, 'the undelivered notification is kept in the bucket');
    const text = await store.getText(record!);
    assert.match(text, /webhook 1 \(json, 127\.0\.0\.1:\d+\) answered HTTP 500/);
    assert.doesNotMatch(text, /\/broken|token=/, 'the webhook is named by its label, never its URL');
  } finally {
    store.destroy();
  }
});

test('no secret in any workflow history (payloads decoded), memo, search attribute, log line or webhook body', { timeout: 400_000 }, async () => {
  await run('doctor', [{}]);
  const [good] = (await query<{ backup_id: string }>(adminTarget(), `SELECT backup_id FROM backup_history WHERE target = $1 AND status = 'success'`, [db.database]));
  await run('restoreBackup', [{ type: 'postgres', backupId: good!.backup_id, validateOnly: true }]);
  await run('restoreBackup', [{ type: 'postgres', backupId: `postgres_${locked}_20200101_000000` }]);
  await run('restoreBackup', [{ type: 'nonsense' }]);
  await run('drDrill', [{}]);
  await run('pruneBackups', [{ dryRun: true }]);
  await run('pruneBackups', [{ target: locked }]);
  await run('pruneBackups', [{ target: 'no-such-target' }]);
  const everyWorkflow: string[] = [];
  for (const queue of [env.TEMPORAL_TASK_QUEUE!, `test-ops-broken-${id}`]) {
    for await (const w of client.workflow.list({ query: `TaskQueue = '${queue}'` })) everyWorkflow.push(w.workflowId);
  }
  const types = new Set<string>();
  for await (const w of client.workflow.list({ query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}'` })) types.add(w.type);
  for (const t of ['backupCycle', 'restoreBackup', 'drDrill', 'pruneBackups', 'doctor', 'objectiveCheck']) assert.ok(types.has(t), `${t} ran (${[...types].join(', ')})`);
  assert.ok(started.every((s) => everyWorkflow.includes(s)));

  const haystacks: [string, string][] = [];
  for (const workflowId of everyWorkflow) haystacks.push([`history of ${workflowId}`, await historyText(client, workflowId)]);
  for (const w of workers) haystacks.push(['worker log', w.output()]);
  for (const r of receiver.received) haystacks.push([`webhook body to ${r.path}`, r.raw]);
  assert.match(haystacks.map(([, h]) => h).join('\n'), /password authentication failed/, 'the scan reads the failures themselves');
  for (const [where, text] of haystacks) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.ok(!text.includes(secret), `${name} appears in ${where}`);
    }
  }
});
