/** Adapts the Temporal activity context to what engines need: heartbeats, cancellation, logs. */
import { Context } from '@temporalio/activity';

export function activityTools() {
  const ctx = Context.current();
  return {
    heartbeat: (progress?: Record<string, unknown>) => ctx.heartbeat(progress),
    signal: ctx.cancellationSignal,
    log: (message: string, fields?: Record<string, unknown>) => ctx.log.info(message, fields),
  };
}
