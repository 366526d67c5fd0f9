/** The daily schedule in Temporal: created from config, idempotent, pause kept on re-apply, and triggering runs a real cycle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { applySchedule } from '../client/schedules';
import { testConfig, withWorker } from './support/stack';
import { historyRows } from './support/cycle';

test('schedule apply creates, is idempotent, keeps a pause, updates on change; trigger runs a backup cycle', { timeout: 300_000 }, async () => {
  const scheduleId = `test-schedule-${randomUUID().slice(0, 8)}`;
  const config = testConfig('schedule', { CAIRN_TARGET_TYPES: 'postgres', BACKUP_SCHEDULE_ID: scheduleId });
  await withWorker(config, async (client) => {
    const handle = client.schedule.getHandle(scheduleId);
    try {
      assert.equal(await applySchedule(client, config), 'created');
      let d = await handle.describe();
      assert.equal(d.action.workflowType, 'backupCycle');
      assert.equal(d.action.taskQueue, config.temporal.taskQueue);
      assert.equal(d.policies.overlap, 'SKIP');
      assert.ok(d.info.nextActionTimes[0]!.getUTCHours() === 2 && d.info.nextActionTimes[0]!.getUTCMinutes() === 0, 'next run at 02:00 UTC');

      assert.equal(await applySchedule(client, config), 'unchanged');
      await handle.pause('maintenance window');
      const changed = { ...config, backup: { ...config.backup, schedule: '30 3 * * *' } };
      assert.equal(await applySchedule(client, changed), 'updated');
      d = await handle.describe();
      assert.equal(d.state.paused, true, 'an operator\'s pause survives a re-apply');
      assert.equal(d.info.nextActionTimes.length === 0 || d.info.nextActionTimes[0]!.getUTCHours() === 3, true);
      assert.equal(await applySchedule(client, changed), 'unchanged');

      await handle.unpause();
      await handle.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 100 && !workflowId; i++) {
        workflowId = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(workflowId, 'the trigger started a workflow');
      const result = await client.workflow.getHandle(workflowId).result();
      assert.equal(result.results[0].status, 'success');
      const rows = await historyRows(config, workflowId);
      assert.deepEqual(rows.map((r) => r.status), ['success']);
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
});
