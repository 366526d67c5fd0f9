/** A drill report as a person reads it: the verdict first, then RTO/RPO, each target, checks and teardown. */
import type { DrillReport } from './reports';

const secs = (ms: number) => (ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);
const mark = (ok: boolean) => (ok ? 'ok' : '**FAILED**');

export function renderDrillMarkdown(r: DrillReport): string {
  const lines = [
    `# DR drill ${r.drillId}: ${r.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `- backup set: \`${r.setId}\``,
    `- started ${r.startedAt}, finished ${r.finishedAt} (workflow \`${r.workflowId}\`)`,
    `- **RTO** ${secs(r.rto.totalMs)} (objective ${secs(r.rto.objectiveMs)}: ${r.rto.withinObjective ? 'met' : '**exceeded**'})`,
    `- **RPO** ${secs(r.rpo.maxMs)} (age of the oldest restored consistency point at drill time)`,
  ];
  if (r.reasons.length) lines.push('', '## Why it failed', '', ...r.reasons.map((x) => `- ${x}`));
  lines.push('', '## Targets', '', '| target | type | backup | restored into | status | proof | RTO | RPO |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of r.targets) {
    const proof = t.proof ? `${t.proof.checks.filter((c) => c.ok).length}/${t.proof.checks.length} checks matched` : '-';
    lines.push(`| ${t.target} | ${t.type} | \`${t.backupId}\` | ${t.destination} | ${t.status}${t.error ? `: ${t.error}` : ''} | ${proof} | ${secs(r.rto.perTarget[t.target] ?? 0)} | ${secs(r.rpo.perTarget[t.target] ?? 0)} |`);
  }
  const smoke = Object.entries(r.smoke).flatMap(([target, checks]) => checks.map((c) => `| ${target} | ${c.check} | ${mark(c.ok)} | ${c.detail} |`));
  if (smoke.length) lines.push('', '## Smoke checks', '', '| target | check | result | detail |', '| --- | --- | --- | --- |', ...smoke);
  if (r.checks.length) lines.push('', '## User checks', '', '| check | result | detail |', '| --- | --- | --- |', ...r.checks.map((c) => `| ${c.name} | ${mark(c.ok)} | ${c.detail} |`));
  lines.push('', '## Teardown', '', ...r.teardown.map((t) => `- ${t.destination}: ${t.ok ? t.detail : `**${t.detail}**`}`));
  for (const t of r.targets) {
    const notes = [...t.notes, ...(t.proof?.notes ?? [])];
    if (notes.length) lines.push('', `### Notes on ${t.target}`, '', ...notes.map((n) => `- ${n}`));
  }
  return lines.join('\n') + '\n';
}
