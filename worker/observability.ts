/**
 * The worker process's logs and metrics: every log line is one JSON object (activity and workflow log lines
 * carry their workflowId, runId, activityId and type from the SDK), and the SDK's own worker metrics are
 * exported for /metrics to append. Must run before any Temporal connection creates the runtime.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { CairnConfig } from '../config/types';

export function jsonLine(entry: Record<string, unknown>): string {
  return JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function installObservability(config: CairnConfig): void {
  const write = (e: LogEntry) => {
    const line = jsonLine({ time: new Date(Number(e.timestampNanos / 1_000_000n)).toISOString(), level: e.level.toLowerCase(), msg: e.message, ...e.meta });
    (e.level === 'ERROR' || e.level === 'WARN' ? process.stderr : process.stdout).write(line + '\n');
  };
  const port = config.ops.http.sdkMetricsPort;
  Runtime.install({
    logger: new DefaultLogger('INFO', write),
    ...(port ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } } : {}),
  });
}

export function logInfo(msg: string, fields: Record<string, unknown> = {}): void {
  console.log(jsonLine({ time: new Date().toISOString(), level: 'info', msg, ...fields }));
}
