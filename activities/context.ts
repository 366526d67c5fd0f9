/** Adapts the Temporal activity context to what engines need: heartbeats, cancellation, logs. */
import { Context } from '@temporalio/activity';

/**
 * Engines report progress per chunk of a stream: thousands of times a second. Each heartbeat is encoded into a
 * payload before Temporal's own throttle drops it, which cost ~0.7 s of worker CPU in a 1 GB backup
 * (docs/benchmarks.md). One every interval is sent, and at once whenever the phase (or step) changes, so a follower
 * (`cairn ... --follow`) never shows a phase that is over.
 */
export function throttledHeartbeat(send: (progress?: Record<string, unknown>) => void, everyMs = 250, now: () => number = Date.now) {
  let last = -Infinity;
  let lastPhase: unknown;
  return (progress?: Record<string, unknown>) => {
    const at = now();
    const phase = progress?.phase ?? progress?.step;
    if (at - last < everyMs && phase === lastPhase) return;
    last = at;
    lastPhase = phase;
    send(progress);
  };
}

export function activityTools() {
  const ctx = Context.current();
  return {
    heartbeat: throttledHeartbeat((progress) => ctx.heartbeat(progress)),
    signal: ctx.cancellationSignal,
    log: (message: string, fields?: Record<string, unknown>) => ctx.log.info(message, fields),
  };
}
