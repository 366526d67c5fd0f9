/**
 * A worker process tuned for memory before anything is loaded. glibc gives each thread that allocates its own
 * malloc arena (up to 8 per core); a worker has a dozen threads (libuv pool, the Temporal core's runtime, the
 * workflow thread), and the freed buffers of a streaming dump stay resident in those arenas. MALLOC_ARENA_MAX=2
 * and a small V8 young generation measured ~40 MiB less idle RSS and a lower peak (docs/benchmarks.md). Both
 * must be set before the process starts, so the worker re-executes itself once (process.execve: the same pid,
 * no parent left behind). CAIRN_WORKER_TUNING=off keeps the process as started.
 */
const SEMI_SPACE_FLAG = '--max-semi-space-size';
const SEMI_SPACE_MB = 2;
const MARK = 'CAIRN_WORKER_TUNED';

/** Replaces this process with a tuned one when it is not tuned yet; returns only when it will not. */
export function relaunchTuned(argv: string[] = process.argv.slice(1)): void {
  const env = process.env;
  const setting = (env.CAIRN_WORKER_TUNING ?? 'on').trim().toLowerCase();
  if (setting !== 'on' && setting !== 'off') {
    throw Object.assign(new Error(`CAIRN_WORKER_TUNING must be on or off, got '${env.CAIRN_WORKER_TUNING}'`), { name: 'ConfigError' });
  }
  if (setting === 'off' || env[MARK] === '1' || typeof process.execve !== 'function') return;
  const arenasSet = env.MALLOC_ARENA_MAX !== undefined;
  const semiSet = process.execArgv.some((a) => a.startsWith(SEMI_SPACE_FLAG)) || (env.NODE_OPTIONS ?? '').includes(SEMI_SPACE_FLAG);
  if (arenasSet && semiSet) return;
  const flags = semiSet ? process.execArgv : [...process.execArgv, `${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`];
  process.execve(process.execPath, [process.execPath, ...flags, ...argv], { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2', [MARK]: '1' });
}
