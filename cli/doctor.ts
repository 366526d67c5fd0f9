/** `cairn doctor [--json]`: runs the doctor workflow and prints what is healthy and what to fix. */
import { randomUUID } from 'node:crypto';
import type { CairnConfig } from '../config/types';
import { connectClient } from '../client/connection';
import type { DoctorReport } from '../workflows/inputs';
import { table } from './format';
import { requireWorker } from './workers';

export async function doctorCommand(config: CairnConfig, opts: { json: boolean }): Promise<number> {
  let report: DoctorReport;
  try {
    const client = await connectClient(config.temporal);
    try {
      await requireWorker(client, config.temporal);
      report = await client.workflow.execute('doctor', {
        taskQueue: config.temporal.taskQueue, workflowId: `doctor-${randomUUID()}`, args: [{}],
        workflowExecutionTimeout: '3 minutes',
      });
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    // Without Temporal or a worker there is nothing else to check from here: report that one broken piece.
    report = { version: 1, ok: false, sections: [{ name: config.temporal.address, kind: 'temporal', checks: [
      { check: 'workflow', ok: false, detail: (err as Error).message, fix: 'start the stack (npm run stack:up) and a worker (npx cairn worker)' },
    ] }] };
  }
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const rows = report.sections.flatMap((s) => s.checks.map((c) => [
      c.ok ? 'ok' : 'FAIL', s.kind, s.name, c.check, c.ok ? c.detail : `${c.detail}${c.fix ? `  -> fix: ${c.fix}` : ''}`,
    ]));
    console.log(table(['status', 'kind', 'target', 'check', 'detail'], rows));
    const bad = report.sections.filter((s) => s.checks.some((c) => !c.ok)).map((s) => `${s.kind} ${s.name}`);
    console.log(bad.length ? `\n${bad.length} problem(s): ${bad.join(', ')}` : '\nall checks passed');
  }
  return report.ok ? 0 : 1;
}
