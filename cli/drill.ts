/** `cairn drill [--set ID] [--wait] [--json]` runs the DR drill now; `cairn drills [--json]` lists past drills. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { listDrills } from '../catalog/history';
import { connectClient, workflowLink } from '../client/connection';
import type { DrillReport } from '../storage/format/reports';
import { renderDrillMarkdown } from '../storage/format/drill-markdown';
import type { DrillProgress } from '../workflows/dr-drill';
import { ms, table } from './format';
import { requireWorker } from './workers';

export async function drillCommand(config: CairnConfig, o: { setId?: string; wait: boolean; json: boolean }): Promise<number> {
  const client = await connectClient(config.temporal);
  try {
    await requireWorker(client, config.temporal);
    const workflowId = `dr-drill-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
    const handle = await client.workflow.start('drDrill', { taskQueue: config.temporal.taskQueue, workflowId, args: [{ version: 1, ...(o.setId ? { setId: o.setId } : {}) }] });
    if (!o.json) console.log(`started DR drill ${workflowId}\n  ${workflowLink(config.temporal, workflowId, handle.firstExecutionRunId)}`);
    if (!o.wait) {
      if (o.json) console.log(JSON.stringify({ workflowId, runId: handle.firstExecutionRunId }));
      return 0;
    }
    let done = false;
    const result = handle.result().then((r: DrillReport) => r, (err: unknown) => {
      const report = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] })?.details?.[0] as DrillReport | undefined : undefined;
      if (report?.drillId) return report;
      throw err;
    }).finally(() => { done = true; });
    // Handled here at once: a workflow that fails before the first poll must not crash the CLI (unhandled rejection).
    result.catch(() => undefined);
    let shown = '';
    while (!done) {
      const p = await handle.query<DrillProgress>('progress').catch(() => undefined);
      const line = p ? `${p.phase}${p.targets.length ? ': ' + p.targets.map((t) => `${t.target} ${t.status}`).join(', ') : ''}` : '';
      if (line && line !== shown && !o.json) console.log(`  ${line}`);
      shown = line || shown;
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    const report = await result;
    console.log(o.json ? JSON.stringify(report, null, 2) : `\n${renderDrillMarkdown(report)}`);
    return report.passed ? 0 : 1;
  } finally {
    await client.connection.close();
  }
}

export async function drillsCommand(config: CairnConfig, o: { json: boolean; limit: number }): Promise<number> {
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    const rows = await listDrills(catalog.pool, o.limit);
    if (o.json) console.log(JSON.stringify(rows, null, 2));
    else if (!rows.length) console.log('no DR drill recorded yet; run one with `cairn drill --wait`');
    else {
      console.log(table(['drill', 'started (UTC)', 'result', 'RTO', 'objective', 'RPO', 'set', 'reasons'], rows.map((r) => [
        r.drill_id, r.started_at.toISOString().replace('T', ' ').slice(0, 19), r.passed ? 'PASSED' : 'FAILED', ms(r.rto_ms),
        ms(r.rto_objective_ms), ms(r.rpo_ms), r.set_id, r.reasons,
      ])));
    }
    return 0;
  } finally {
    await catalog.close();
  }
}
