/** A workflow's whole event history as text, every payload decoded, for searching it for secrets. */
import type { Client } from '@temporalio/client';

function collect(value: unknown, out: string[], seen = new Set<unknown>()): void {
  if (value === null || value === undefined || seen.has(value)) return;
  if (value instanceof Uint8Array) { out.push(Buffer.from(value).toString('utf8')); return; }
  if (typeof value === 'string') { out.push(value); return; }
  if (typeof value !== 'object') { out.push(String(value)); return; }
  seen.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) collect(v, out, seen);
}

export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const out: string[] = [];
  collect(history, out);
  const described = await client.workflow.getHandle(workflowId).describe();
  collect(described.memo, out);
  collect(described.searchAttributes, out);
  return out.join('\n');
}
