/** Metric names in PromQL expressions, and the Temporal SDK series the Grafana dashboard uses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
export function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '').replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index! + m[0].length))) // a function call
    .map((m) => m[0]).filter((t) => !KEYWORDS.has(t));
}

/** The Temporal SDK series the dashboard uses, for test/server.test.ts to find in a live scrape. */
export function dashboardTemporalSeries(): string[] {
  const dash = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'cairn-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return [...new Set(dash.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr).filter((n) => n.startsWith('temporal_')))))];
}
