/** `cairn schedule apply` creates the daily retention schedule beside the backup and drill schedules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { applySchedules } from '../client/schedules';
import { connectClient } from '../client/connection';
import { testConfig } from './support/stack';

test('schedule apply creates the pruneBackups schedule after the backup window, idempotently', { timeout: 120_000 }, async () => {
  const suffix = randomUUID().slice(0, 8);
  const config = testConfig('prune-schedule', {
    CAIRN_TARGET_TYPES: 'postgres', BACKUP_SCHEDULE_ID: `test-backup-${suffix}`, DRILL_SCHEDULE_ID: `test-drill-${suffix}`, PRUNE_SCHEDULE_ID: `test-prune-${suffix}`,
    OBJECTIVE_CHECK_SCHEDULE_ID: `test-objectives-${suffix}`,
  });
  const client = await connectClient(config.temporal);
  const ids = [config.backup.scheduleId, config.drill.scheduleId, config.ops.objectiveCheck.scheduleId, config.retention.scheduleId];
  try {
    const applied = await applySchedules(client, config);
    assert.deepEqual(applied.map((a) => [a.spec.scheduleId, a.outcome]), ids.map((id) => [id, 'created']));
    const prune = await client.schedule.getHandle(config.retention.scheduleId).describe();
    assert.equal(prune.action.workflowType, 'pruneBackups');
    assert.equal(prune.action.taskQueue, config.temporal.taskQueue);
    const next = prune.info.nextActionTimes[0]!;
    assert.deepEqual([next.getUTCHours(), next.getUTCMinutes()], [6, 0], 'daily at 06:00 UTC, after the 02:00 backups');
    assert.deepEqual((await applySchedules(client, config)).map((a) => a.outcome), ids.map(() => 'unchanged'));
  } finally {
    for (const id of ids) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await client.connection.close();
  }
});
