/** The read-only status page: server-rendered HTML with inline SVG charts, no scripts, no build step. */
import type { CairnConfig } from '../config/types';
import { workflowLink } from '../client/connection';
import { bytes, ms } from '../cli/format';
import type { StatusReport, TargetStatus } from '../status/evaluate';
import type { BackupFact } from '../status/facts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (d: Date | string) => new Date(d).toISOString().replace('T', ' ').slice(0, 16);
const age = (m: number) => (m < 3_600_000 ? `${Math.round(m / 60_000)} min` : `${(m / 3_600_000).toFixed(1)} h`);

/** One series as a polyline over 30 days; failed backups as red dots on the axis. */
function chart(history: BackupFact[], value: (f: BackupFact) => number | undefined, label: string, format: (n: number) => string, now: number): string {
  const W = 300, H = 80, from = now - 30 * 86_400_000;
  const ok = history.filter((f) => f.status === 'success' && value(f) !== undefined);
  const max = Math.max(1, ...ok.map((f) => value(f)!));
  const x = (f: BackupFact) => ((f.at.valueOf() - from) / (now - from)) * W;
  const y = (v: number) => H - 4 - (v / max) * (H - 12);
  const points = ok.map((f) => `${x(f).toFixed(1)},${y(value(f)!).toFixed(1)}`).join(' ');
  const dots = ok.map((f) => `<circle cx="${x(f).toFixed(1)}" cy="${y(value(f)!).toFixed(1)}" r="2"><title>${esc(f.backupId)}: ${esc(format(value(f)!))}</title></circle>`).join('');
  const fails = history.filter((f) => f.status === 'failed').map((f) => `<circle class="fail" cx="${x(f).toFixed(1)}" cy="${H - 2}" r="3"><title>${esc(f.backupId)} failed</title></circle>`).join('');
  return `<figure><figcaption>${esc(label)} (max ${esc(format(max))})</figcaption><svg role="img" aria-label="${esc(label)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`
    + `<line x1="0" y1="${H - 4}" x2="${W}" y2="${H - 4}" class="axis"/><polyline points="${points}"/>${dots}${fails}</svg></figure>`;
}

function card(t: TargetStatus, config: CairnConfig, now: number): string {
  const s = t.lastSuccess;
  const link = (id: string | undefined, text: string) => (id ? `<a href="${esc(workflowLink(config.temporal, id))}">${esc(text)}</a>` : esc(text));
  const rows: [string, string][] = [
    ['last success', s ? `${link(s.workflowId, s.backupId)} at ${esc(when(s.at))} UTC, ${esc(age(s.ageMs))} old (RPO ${esc(age(t.rpoObjectiveMs))})` : `none (RPO ${esc(age(t.rpoObjectiveMs))})`],
    ['size', s ? `${esc(bytes(s.sizeBytes))}${t.sizeChange ? ` (${t.sizeChange.percent > 0 ? '+' : ''}${esc(t.sizeChange.percent)}%${t.sizeChange.flagged ? ', <strong>flagged</strong>' : ''})` : ''}, took ${esc(ms(s.durationMs))}` : '-'],
    ['failures (7 days)', t.failures7d === null ? 'unknown (catalog down)' : esc(t.failures7d)],
    ['last attempt', t.lastAttempt ? `${link(t.lastAttempt.workflowId, t.lastAttempt.backupId)}: ${esc(t.lastAttempt.status)}${t.lastAttempt.error ? ` — ${esc(t.lastAttempt.error)}` : ''}` : '-'],
    ['next run', t.nextRunAt ? `${esc(when(t.nextRunAt))} UTC` : 'unknown'],
    ['last drill', t.lastDrill ? `${link(t.lastDrill.workflowId, t.lastDrill.passed ? 'passed' : 'FAILED')} ${esc(when(t.lastDrill.at))} UTC, RTO ${esc(ms(t.lastDrill.targetRtoMs ?? t.lastDrill.rtoMs))}` : 'none yet'],
    ['stored', `${esc(bytes(t.storedBytes))} (protected ${esc(bytes(t.protectedBytes))})`],
  ];
  const breaches = t.breaches.map((b) => `<li>${esc(b.detail)}</li>`).join('');
  return `<section class="target ${t.breaches.length ? 'breach' : 'ok'}" data-target="${esc(t.target)}"><h2>${esc(t.type)}/${esc(t.target)} <span class="badge">${t.breaches.length ? 'OUT OF OBJECTIVE' : 'OK'}</span></h2>`
    + (breaches ? `<ul class="breaches">${breaches}</ul>` : '')
    + `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`
    + `<div class="charts">${chart(t.history30d, (f) => f.sizeBytes, 'size, last 30 days', bytes, now)}${chart(t.history30d, (f) => f.durationMs, 'duration, last 30 days', ms, now)}</div></section>`;
}

export function renderStatusPage(r: StatusReport, config: CairnConfig, now = Date.now()): string {
  const drills = r.drills.slice(0, 5).map((d) => `<tr><td><a href="${esc(workflowLink(config.temporal, d.workflowId))}">${esc(d.drillId)}</a></td><td>${esc(when(d.at))}</td>`
    + `<td class="${d.passed ? 'ok' : 'bad'}">${d.passed ? 'passed' : 'FAILED'}</td><td>${esc(ms(d.rtoMs))} / ${esc(ms(d.rtoObjectiveMs))}</td><td>${esc(ms(d.rpoMs))}</td><td>${esc(d.reasons)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cairn status</title><meta name="viewport" content="width=device-width">
<style>body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}section.target{border:1px solid #ccc;border-left:6px solid #2a2;padding:.5em 1em;margin:1em 0}
section.breach{border-left-color:#c22}.badge{font-size:.7em;padding:2px 6px;border-radius:3px;background:#2a2;color:#fff}.breach .badge{background:#c22}
th{text-align:left;padding-right:1em;font-weight:600}.charts{display:flex;gap:2em}svg polyline{fill:none;stroke:#36c;stroke-width:1.5}svg circle{fill:#36c}
svg circle.fail{fill:#c22}.axis{stroke:#999}.bad{color:#c22}figure{margin:0}figcaption{font-size:.85em;color:#555}</style></head><body>
<h1>Cairn status</h1><p>${r.ok ? 'Every target is within its objectives.' : '<strong>Some targets are out of their objectives.</strong>'} Generated ${esc(when(r.generatedAt))} UTC from the ${esc(r.source)}${r.catalogError ? ` (${esc(r.catalogError)})` : ''}.</p>
${r.targets.map((t) => card(t, config, now)).join('\n')}
<h2>Last DR drills</h2>${drills ? `<table><tr><th>drill</th><th>started (UTC)</th><th>result</th><th>RTO / objective</th><th>RPO</th><th>reasons</th></tr>${drills}</table>` : '<p>No drill yet.</p>'}
</body></html>`;
}
