/**
 * Heartbeats from a fast stream are thinned to one per interval (activities/context.ts), yet a change of phase
 * is sent at once, so `--follow` never shows a phase that is over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throttledHeartbeat } from '../activities/context';

test('per-chunk progress is sent once per interval; a new phase is sent at once', () => {
  const sent: Record<string, unknown>[] = [];
  let clock = 1_000;
  const beat = throttledHeartbeat((p) => sent.push(p!), 250, () => clock);
  for (let bytes = 1; bytes <= 1000; bytes++) {
    beat({ phase: 'dumping', bytes });
    clock += 1; // a thousand chunks in one second
  }
  assert.deepEqual(sent.map((p) => p.bytes), [1, 251, 501, 751], 'four of a thousand, spread over the second');
  beat({ phase: 'counting', table: 'public.accounts' });
  assert.deepEqual(sent.at(-1), { phase: 'counting', table: 'public.accounts' }, 'the phase change is not held back');
  beat({ step: 'upload', bytes: 1 });
  assert.deepEqual(sent.at(-1), { step: 'upload', bytes: 1 }, 'a step change counts as one too');
});
