/** `doctor` runs as a real workflow on the real stack and tells healthy from broken targets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DoctorReport } from '../workflows/inputs';
import { testConfig, withWorker } from './support/stack';

async function runDoctor(config: ReturnType<typeof testConfig>): Promise<DoctorReport> {
  return withWorker(config, (client) => client.workflow.execute('doctor', {
    taskQueue: config.temporal.taskQueue, workflowId: `test-doctor-${randomUUID()}`, args: [{}],
  }));
}

test('doctor reports every configured target healthy on the running stack', async () => {
  const report = await runDoctor(testConfig('doctor'));
  const broken = report.sections.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.kind} ${s.name} ${c.check}: ${c.detail}`));
  assert.deepEqual(broken, []);
  assert.equal(report.ok, true);
  const kinds = new Set(report.sections.map((s) => s.kind));
  for (const kind of ['temporal', 'storage', 'catalog', 'postgres']) assert.ok(kinds.has(kind as never), `doctor checked ${kind}`);
});

test('doctor names a target with a wrong password and says what to fix', async () => {
  const report = await runDoctor(testConfig('doctor-badpw', { POSTGRES_PASSWORD: 'definitely-wrong', CAIRN_METADATA_PASSWORD: process.env.POSTGRES_PASSWORD ?? 'cairn' }));
  assert.equal(report.ok, false);
  const pg = report.sections.find((s) => s.kind === 'postgres')!;
  const failed = pg.checks.find((c) => !c.ok)!;
  assert.match(failed.detail, /password authentication failed/);
  assert.match(failed.fix ?? '', /POSTGRES_PASSWORD/);
  assert.doesNotMatch(JSON.stringify(report), /definitely-wrong/, 'the wrong password itself is never echoed');
  // The other pieces are still reported healthy: one broken target does not hide the rest.
  assert.ok(report.sections.find((s) => s.kind === 'storage')!.checks.every((c) => c.ok));
});

test('doctor names the bucket when the object store is unreachable', async () => {
  const report = await runDoctor(testConfig('doctor-nos3', { MINIO_ENDPOINT: 'http://127.0.0.1:1' }));
  assert.equal(report.ok, false);
  const storage = report.sections.find((s) => s.kind === 'storage')!;
  assert.equal(storage.checks[0]!.ok, false);
  assert.match(storage.checks[0]!.fix ?? '', /MINIO_ENDPOINT/);
});
