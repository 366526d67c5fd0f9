/**
 * The Prometheus alert rules and the Grafana dashboard name only series Cairn exports (server/metrics.ts) or the
 * Temporal SDK's (checked live in test/server.test.ts). A parser check: promtool is not installed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { METRICS } from '../server/metrics';
import { metricNames } from './support/promql';

const ROOT = join(__dirname, '..', '..');
function checkNames(where: string, expr: string): string[] {
  const names = metricNames(expr);
  assert.ok(names.length, `${where}: '${expr}' names no metric`);
  const temporal = names.filter((n) => n.startsWith('temporal_'));
  const unknown = names.filter((n) => !n.startsWith('temporal_') && !(n in METRICS));
  assert.deepEqual(unknown, [], `${where}: '${expr}' names series Cairn does not export`);
  return temporal;
}

test('the name parser finds metrics and skips functions, labels and keywords', () => {
  assert.deepEqual(metricNames('sum by (target) (rate(cairn_x{type="a b"}[5m])) > 2 * 3600 or abs(y_z) unless on(job) w'), ['cairn_x', 'y_z', 'w']);
});

test('every alert rule expression names series Cairn exports; the seed\'s five recommended alerts are there', () => {
  const doc = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'cairn-alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);
  for (const r of rules) assert.deepEqual(checkNames(r.alert, r.expr), [], `${r.alert} uses only Cairn's series`);
  for (const alert of ['CairnBackupFailed', 'CairnNoRecentBackup', 'CairnBackupSizeChanged', 'CairnRestoreSlow', 'CairnValidationFailed']) {
    assert.ok(rules.some((r) => r.alert === alert), `${alert} is defined`);
  }
  assert.match(rules.find((r) => r.alert === 'CairnNoRecentBackup')!.expr, /25 \* 3600/);
  assert.match(rules.find((r) => r.alert === 'CairnBackupSizeChanged')!.expr, /> 50$/);
});

test('every dashboard panel queries exported series, and every Cairn series has a panel or an alert', () => {
  const dash = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'cairn-dashboard.json'), 'utf8')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
  assert.equal(dash.uid, 'cairn-backups');
  const used = new Set<string>();
  for (const p of dash.panels) for (const t of p.targets) { checkNames(p.title, t.expr); metricNames(t.expr).forEach((n) => used.add(n)); }
  const alerts = readFileSync(join(ROOT, 'deploy', 'prometheus', 'cairn-alerts.yml'), 'utf8');
  const unused = Object.keys(METRICS).filter((m) => !used.has(m) && !alerts.includes(m));
  assert.deepEqual(unused, [], 'series nobody looks at');
});
