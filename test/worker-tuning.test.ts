/**
 * The worker process re-executes itself once with its memory tuning (worker/lean-process.ts): same pid, glibc
 * arenas capped, a small V8 young generation, a capped old one that grows 2x between full collections; CAIRN_WORKER_TUNING=off leaves it as started; a bad value is refused.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const started: WorkerProcess[] = [];
after(async () => { for (const w of started) await w.kill('SIGTERM'); });

const env = () => ({ CAIRN_TARGET_TYPES: 'postgres', TEMPORAL_TASK_QUEUE: `test-tuning-${randomUUID().slice(0, 8)}`, CAIRN_APPLY_SCHEDULE_ON_START: 'false', CAIRN_CONFIG: '' });
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

test('a worker runs tuned under its own pid; CAIRN_WORKER_TUNING=off runs it as started', async () => {
  const tuned = startWorkerProcess(env());
  started.push(tuned);
  await tuned.ready;
  const pid = tuned.child.pid!;
  assert.ok(environ(pid).includes('MALLOC_ARENA_MAX=2'), 'glibc arenas capped');
  assert.ok(cmdline(pid).includes('--max-semi-space-size=2'), 'a small young generation');
  assert.ok(cmdline(pid).includes('--max-old-space-size=160'), 'a capped old generation');
  assert.ok(cmdline(pid).includes('--heap-growing-percent=100'), 'which still grows 2x between full collections');

  const plain = startWorkerProcess({ ...env(), CAIRN_WORKER_TUNING: 'off' });
  started.push(plain);
  await plain.ready;
  assert.equal(environ(plain.child.pid!).some((e) => e.startsWith('MALLOC_ARENA_MAX=')), process.env.MALLOC_ARENA_MAX !== undefined);
  assert.ok(!cmdline(plain.child.pid!).some((a) => a.startsWith('--max-semi-space-size') || a.startsWith('--max-old-space-size')));
});

test('a CAIRN_WORKER_TUNING that is neither on nor off stops the worker, naming the variable', () => {
  const run = spawnSync(process.execPath, [join(__dirname, '..', 'worker', 'main.js')], { env: { ...process.env, ...env(), CAIRN_WORKER_TUNING: 'lean' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /config: CAIRN_WORKER_TUNING must be on or off, got 'lean'/);
});
