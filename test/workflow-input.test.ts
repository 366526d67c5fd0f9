/**
 * Workflow inputs from the Temporal CLI and the client are checked before anything runs: a malformed one fails
 * the run at once, non-retryably, naming the field; nothing is planned, let alone backed up. Runs started by
 * the code before that check replay unchanged (Temporal patching).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { Catalog } from '../catalog/catalog';
import { engines } from '../engines/registry';
import { ObjectStore } from '../storage/s3';
import { BUNDLE_PATH } from '../worker/bundle';
import { testConfig, withWorker } from './support/stack';
import { historyRows } from './support/cycle';

const TEMPORAL = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'bin', 'temporal');
const config = testConfig('input', { CAIRN_TARGET_TYPES: 'postgres' });
const queue = config.temporal.taskQueue;

// One worker for the whole file, serving the file's own task queue.
let client: Client;
let stop: () => void;
let running: Promise<void>;
before(async () => {
  const ready = new Promise<Client>((resolve) => {
    running = withWorker(config, (c) => { resolve(c); return new Promise<void>((done) => { stop = done; }); });
  });
  client = await ready;
});
after(async () => { stop(); await running; });

/** `temporal workflow start` exactly as an operator types it; returns the workflow id. */
function temporalStart(type: string, input: string): string {
  const workflowId = `test-input-${randomUUID()}`;
  const res = spawnSync(TEMPORAL, ['workflow', 'start', '--type', type, '--task-queue', queue, '--workflow-id', workflowId,
    '--input', input, '--address', config.temporal.address], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  return workflowId;
}

/** The run's failure, and what its history shows it did before failing. */
async function failure(workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  const err = await handle.result().then(() => assert.fail('the workflow should have failed'), (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const cause = err.cause;
  assert.ok(cause instanceof ApplicationFailure, String(cause));
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    cause,
    activitiesScheduled: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    workflowTasks: events.filter((e) => e.workflowTaskStartedEventAttributes).length,
    rows: (await historyRows(config, workflowId)).length,
  };
}

const BAD_CYCLE_INPUTS: [string, RegExp][] = [
  ['{"targets":"cairn"}', /backupCycle input: field 'targets' must be a list of strings \(target names\).*, got a string \("cairn"\)/],
  ['"hello"', /backupCycle input: must be a JSON object such as \{\} with optional fields targets, protect, got a string \("hello"\)/],
  ['{"version":99}', /backupCycle input: field 'version' must be 1 \(absent means 1.*got a number \(99\)/],
  ['{"target":["cairn"]}', /backupCycle input: unknown field\(s\) 'target'; known fields: version, targets/],
  ['{"targets":["cairn", 7]}', /backupCycle input: field 'targets' must be a list of strings.*item 1 is a number \(7\)/],
  ['{"targets":["../etc"]}', /backupCycle input: field 'targets' must be a list of strings.*item 0 is a string \("\.\.\/etc"\)/],
  ['[]', /backupCycle input: must be a JSON object .*got a list/],
];

for (const [input, expected] of BAD_CYCLE_INPUTS) {
  test(`temporal workflow start backupCycle --input '${input}' fails at once naming the problem; nothing is backed up`, async () => {
    const run = await failure(temporalStart('backupCycle', input));
    assert.match(run.cause.message, expected);
    assert.equal(run.cause.type, 'InvalidWorkflowInput');
    assert.equal(run.cause.nonRetryable, true);
    assert.equal(run.activitiesScheduled, 0, 'no activity ran: no planning, no dump');
    assert.equal(run.workflowTasks, 1, 'the first workflow task failed the run; nothing was retried');
    assert.equal(run.rows, 0, 'no backup_history row');
  });
}

test('the client gets the same answer, and doctor checks its input too', async () => {
  const viaClient = await client.workflow.start('backupCycle', { taskQueue: queue, workflowId: `test-input-${randomUUID()}`, args: [{ targets: 'cairn' }] });
  assert.match((await failure(viaClient.workflowId)).cause.message, /field 'targets' must be a list of strings/);
  const doctor = await failure(temporalStart('doctor', '{"version":2}'));
  assert.match(doctor.cause.message, /^doctor input: field 'version' must be 1/);
  assert.equal(doctor.activitiesScheduled, 0);
  const doctorUnknown = await failure(temporalStart('doctor', '{"verbose":true}'));
  assert.match(doctorUnknown.cause.message, /^doctor input: unknown field\(s\) 'verbose'; known fields: version$/);
});

test('a valid input from the Temporal CLI still backs up exactly the targets it names', { timeout: 300_000 }, async () => {
  const workflowId = temporalStart('backupCycle', '{"version":1,"targets":["cairn"]}');
  const result = await client.workflow.getHandle(workflowId).result() as { results: { target: string; status: string }[] };
  assert.deepEqual(result.results.map((r) => [r.target, r.status]), [['cairn', 'success']]);
  const store = new ObjectStore(config.storage);
  try {
    assert.ok((await store.list('postgres/cairn/')).length >= 3, 'the dump, its checksum and its manifest are in the bucket');
  } finally {
    store.destroy();
  }
});

test('planBackup handed something that is not a list of names fails non-retryably, not as a retried TypeError', async () => {
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  try {
    const { planBackup } = createActivities({ config, store, catalog, engines, temporal: client });
    await assert.rejects(planBackup('cairn' as unknown as string[]), (err: unknown) =>
      err instanceof ApplicationFailure && err.nonRetryable && err.type === 'InvalidActivityInput' && /list of target names, got "cairn"/.test(err.message));
  } finally {
    store.destroy();
    await catalog.close();
  }
});

/**
 * The fixtures are real histories recorded from the code before these changes (binary protobuf, as
 * fetchHistory() returns them: the SDK's JSON history loader trips over its own two protobufjs copies).
 */
test('backup cycles and doctors recorded before the input check and retry window replay unchanged under the new code', async () => {
  const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'histories');
  for (const name of ['backup-cycle-success', 'backup-cycle-one-target-failed', 'doctor']) {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, `${name}.binpb`)));
    assert.ok((history.events?.length ?? 0) > 30, `${name} is a whole recorded run`);
    await Worker.runReplayHistory({ workflowBundle: { codePath: BUNDLE_PATH } }, history, name);
  }
});
