/** The `cairn` CLI and the Temporal CLI driving a real worker process, as an operator would. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';
import { Catalog } from '../catalog/catalog';
import { loadConfig } from '../config/load';

const CAIRN = join(__dirname, '..', '..', 'bin', 'cairn.js');
const TEMPORAL = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'bin', 'temporal');
const UI = process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? 8233}`;
const queue = `test-cli-${randomUUID().slice(0, 8)}`;
const env = { CAIRN_TARGET_TYPES: 'postgres,qdrant', TEMPORAL_TASK_QUEUE: queue, BACKUP_BUCKET: queue };
const workers: WorkerProcess[] = [];
after(async () => { for (const w of workers) await w.kill('SIGTERM'); });

function cairn(args: string[], extraEnv: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

async function worker(extraEnv: Record<string, string> = {}) {
  const w = startWorkerProcess({ ...env, ...extraEnv });
  workers.push(w);
  await w.ready;
  return w;
}

test('cairn doctor without a running worker says so and how to start one', () => {
  const res = cairn(['doctor'], { TEMPORAL_TASK_QUEUE: `nobody-${randomUUID()}` });
  assert.equal(res.code, 1);
  assert.match(res.out, /no Cairn worker is polling task queue/);
  assert.match(res.out, /npx cairn worker/);
});

test('cairn doctor prints every target healthy and exits 0; the Temporal CLI runs the same workflow', async () => {
  await worker();
  const res = cairn(['doctor']);
  assert.equal(res.code, 0, res.out + res.err);
  for (const kind of ['temporal', 'storage', 'catalog', 'postgres', 'qdrant']) assert.match(res.out, new RegExp(`^ok\\s+${kind}\\s`, 'm'));
  assert.match(res.out, /all checks passed/);

  const json = JSON.parse(cairn(['doctor', '--json']).out);
  assert.equal(json.ok, true);

  const workflowId = `doctor-from-temporal-cli-${randomUUID()}`;
  const viaTemporal = spawnSync(TEMPORAL, ['workflow', 'execute', '--type', 'doctor', '--task-queue', queue, '--input', '{}',
    '--workflow-id', workflowId, '--address', process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.TEMPORAL_PORT ?? 7233}`, '-o', 'json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(viaTemporal.status, 0, viaTemporal.stderr);
  assert.match(viaTemporal.stdout, /"ok":\s*true/);

  // The Web UI (served by the dev server) shows it, through the same API its pages use.
  const ui = await fetch(`${UI}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`);
  const listed = await ui.json() as { executions?: { type: { name: string }; status: string }[] };
  assert.equal(listed.executions?.[0]?.type.name, 'doctor');
  assert.equal(listed.executions?.[0]?.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
});

test('cairn doctor names a target with a wrong password and exits non-zero', async () => {
  const badQueue = `${queue}-bad`;
  await worker({ TEMPORAL_TASK_QUEUE: badQueue, POSTGRES_PASSWORD: 'wrong-password', CAIRN_METADATA_PASSWORD: process.env.POSTGRES_PASSWORD ?? 'cairn' });
  const res = cairn(['doctor'], { TEMPORAL_TASK_QUEUE: badQueue });
  assert.equal(res.code, 1);
  assert.match(res.out, /^FAIL\s+postgres\s+cairn\s+connect\s+.*password authentication failed.*fix: check POSTGRES_USER and POSTGRES_PASSWORD/m);
  assert.match(res.out, /1 problem\(s\): postgres cairn/);
  assert.doesNotMatch(res.out + res.err, /wrong-password/);
});

test('cairn backup --wait shows progress and results; cairn list shows the recorded backups', async () => {
  const res = cairn(['backup', '--target', 'cairn', '--wait']);
  assert.equal(res.code, 0, res.out + res.err);
  const id = /started backup cycle (\S+)/.exec(res.out)?.[1];
  assert.ok(id, res.out);
  const link = new RegExp(`(http\\S+/namespaces/default/workflows/${id}/\\S+)`).exec(res.out)?.[1];
  assert.ok(link, 'prints a Temporal UI link');
  assert.equal((await fetch(link)).status, 200, 'the link opens in the Web UI');
  assert.match(res.out, /postgres\/cairn: success postgres_cairn_\d{8}_\d{6}/);
  const backupId = /(postgres_cairn_\d{8}_\d{6})/.exec(res.out)![1]!;
  assert.match(res.out, new RegExp(`cairn\\s+postgres\\s+success\\s+${backupId}`));

  const listed = JSON.parse(cairn(['list', '--target', 'cairn', '--json']).out) as { backup_id: string; status: string }[];
  assert.equal(listed.find((r) => r.backup_id === backupId)?.status, 'success');
  assert.match(cairn(['list', '--type', 'postgres']).out, new RegExp(`${backupId}\\s+postgres\\s+cairn\\s+success`));
});

test('bad command-line input is refused with a clear message and changes nothing', () => {
  const unknown = cairn(['backup', '--target', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown target\(s\) nope; configured: cairn, qdrant/);
  const badType = cairn(['list', '--type', 'mysql']);
  assert.equal(badType.code, 2);
  assert.match(badType.err, /--type must be postgres, neo4j or qdrant, got 'mysql'/);
  const badFlag = cairn(['list', '--colour']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.err, /Unknown option '--colour'/);
});

test('cairn schedule apply is idempotent from the command line, and describe/pause/delete act on it', () => {
  const id = `test-cli-schedule-${randomUUID().slice(0, 8)}`;
  // Every schedule apply creates gets a test id, so none is left behind in the shared namespace.
  const others = [`${id}-drill`, `${id}-prune`, `${id}-objectives`];
  const scheduleEnv = { BACKUP_SCHEDULE_ID: id, BACKUP_SCHEDULE: '15 4 * * *', DRILL_SCHEDULE_ID: others[0]!, PRUNE_SCHEDULE_ID: others[1]!, OBJECTIVE_CHECK_SCHEDULE_ID: others[2]! };
  try {
    const applied = cairn(['schedule', 'apply'], scheduleEnv).out;
    assert.match(applied, new RegExp(`schedule ${id}: created \\(backupCycle, 15 4 \\* \\* \\* UTC, overlap SKIP\\)`));
    assert.match(applied, new RegExp(`schedule ${id}-drill: created \\(drDrill, 0 3 1 \\* \\* UTC, overlap SKIP\\)`), 'the monthly drill is scheduled too');
    assert.match(applied, new RegExp(`schedule ${id}-prune: created \\(pruneBackups, `), 'and retention');
    assert.doesNotMatch(cairn(['schedule', 'apply'], scheduleEnv).out, /created|updated/);
    assert.equal(cairn(['schedule', 'pause'], scheduleEnv).code, 0);
    const described = JSON.parse(cairn(['schedule', 'describe'], scheduleEnv).out);
    assert.equal(described.paused, true);
    assert.equal(described.workflowType, 'backupCycle');
    assert.equal(described.overlap, 'SKIP');
    assert.match(cairn(['schedule', 'list'], scheduleEnv).out, new RegExp(`${id}\\s+paused`));
  } finally {
    assert.match(cairn(['schedule', 'delete'], scheduleEnv).out, /deleted/);
    for (const other of others) assert.match(cairn(['schedule', 'delete', '--id', other], scheduleEnv).out, /deleted/);
  }
  const gone = cairn(['schedule', 'describe'], scheduleEnv);
  assert.equal(gone.code, 1);
  assert.match(gone.err, /no schedule .* exists; create it with `cairn schedule apply`/);
});

test('cairn catalog rebuild restores lost backup_history rows from the manifests in the bucket alone', async () => {
  const backup = cairn(['backup', '--target', 'qdrant', '--wait', '--json']);
  assert.equal(backup.code, 0, backup.out + backup.err);
  const { results } = JSON.parse(backup.out) as { results: { backupId: string; checksum: string; sizeBytes: number }[] };
  const before = (JSON.parse(cairn(['list', '--target', 'qdrant', '--json']).out) as Record<string, unknown>[]).find((r) => r.backup_id === results[0]!.backupId)!;

  // Lose the catalog rows, as when the metadata database is gone.
  const metadata = new Catalog(loadConfig({ ...process.env, ...env }).metadata);
  await metadata.pool.query('DELETE FROM backup_history WHERE backup_id = $1', [results[0]!.backupId]);
  assert.equal(await metadata.get(results[0]!.backupId), undefined);

  const rebuilt = cairn(['catalog', 'rebuild']);
  assert.equal(rebuilt.code, 0, rebuilt.out + rebuilt.err);
  assert.match(rebuilt.out, /manifest\(s\) in bucket .*: [1-9]\d* backup\(s\) added to backup_history/);
  const after = await metadata.get(results[0]!.backupId);
  await metadata.close();
  for (const column of ['backup_type', 'target', 'status', 'size_bytes', 'checksum', 'object_key', 'manifest_key', 'workflow_id']) {
    assert.deepEqual((after as unknown as Record<string, unknown>)[column], before[column], column);
  }
  assert.equal(after!.timestamp.toISOString(), before.timestamp);
});
