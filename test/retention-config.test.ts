/** Retention settings: defaults from the environment, per-target and per-kind overrides, and bad values named precisely. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { policyFor } from '../retention/plan';

function load(yaml: string, env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'cairn-retention-config-')), 'config.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ CAIRN_CONFIG: file, ...env });
}
const target = (name: string, extra = '') => `  - { type: postgres, name: ${name}, user: u, password: p, database: ${name}${extra} }\n`;

test('a target\'s retention overrides the environment\'s defaults, and manual/scheduled override that again', () => {
  const config = load(`targets:\n${target('app', ', retention: { keep_daily: 7, scheduled: { within_days: 120, keep_monthly: 12 } }')}${target('billing')}`,
    { BACKUP_RETENTION_MANUAL_DAYS: '30', BACKUP_RETENTION_SCHEDULED_DAYS: '90', BACKUP_KEEP_WEEKLY: '4' });
  const app = policyFor(config, 'app');
  assert.deepEqual(app.manual, { withinDays: 30, last: 0, hourly: 0, daily: 7, weekly: 4, monthly: 0, yearly: 0 });
  assert.deepEqual(app.scheduled, { withinDays: 120, last: 0, hourly: 0, daily: 7, weekly: 4, monthly: 12, yearly: 0 });
  const billing = policyFor(config, 'billing');
  assert.deepEqual([billing.manual.withinDays, billing.scheduled.withinDays, billing.scheduled.weekly], [30, 90, 4]);
  assert.equal(config.retention.schedule, '0 6 * * *');
  assert.equal(config.retention.afterBackup, true);
});

test('bad retention settings stop loading with one line naming the setting', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    [', retention: { keep_dayly: 7 }', {}, /^config: targets\[0\]\.retention\.keep_dayly is not a retention setting \(settings: within_days, keep_last/],
    [', retention: { keep_daily: -1 }', {}, /^config: targets\[0\]\.retention\.keep_daily must be a whole number from 0 to 100000, got '-1'$/],
    [', retention: { manual: { keep_last: two } }', {}, /^config: targets\[0\]\.retention\.manual\.keep_last must be a whole number/],
    [', retention: 30', {}, /^config: targets\[0\]\.retention must be a mapping of keep rules$/],
    ['', { BACKUP_KEEP_DAILY: 'lots' }, /^config: BACKUP_KEEP_DAILY must be a whole number from 0 to 100000, got 'lots'$/],
    ['', { PRUNE_SCHEDULE: 'daily' }, /^config: PRUNE_SCHEDULE must be a 5-field cron expression/],
    ['', { PRUNE_AFTER_BACKUP: 'sometimes' }, /^config: PRUNE_AFTER_BACKUP must be true or false/],
  ];
  for (const [extra, env, message] of bad) assert.throws(() => load(`targets:\n${target('app', extra)}`, env), { message });
});
