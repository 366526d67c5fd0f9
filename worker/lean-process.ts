/**
 * A worker process tuned for memory before anything is loaded. glibc gives each thread that allocates its own
 * malloc arena (up to 8 per core); a worker has a dozen threads (libuv pool, the Temporal core's runtime, the
 * workflow thread), and the freed buffers of a streaming dump stay resident in those arenas. MALLOC_ARENA_MAX=2
 * and a small V8 young generation measured ~40 MiB less idle RSS and a lower peak (docs/benchmarks.md).
 * A small young generation promotes a fast stream's short-lived objects (a Neo4j export's records), and V8 sizes
 * its old generation from the machine's memory, so without a cap the garbage grew the worker past 300 MiB before
 * a full collection; a 160 MiB old generation keeps it under 256 MiB (the live set is a few MiB). But V8 reads a
 * cap under 256 MiB as a small device and grows the old generation by only 1.3x its live size between full
 * collections: ~40 of them in a 1 GB PostgreSQL backup, 2-3 s of CPU on V8's helper threads, a third of the
 * machine's work. Growing it 2x (--heap-growing-percent=100) leaves ~4 (docs/benchmarks.md). All must
 * be set before the process starts, so the worker re-executes itself once (process.execve: the same pid, no
 * parent left behind). CAIRN_WORKER_TUNING=off keeps the process as started; a flag the operator set (in
 * NODE_OPTIONS or on the command line) is kept.
 */
import { workerTuning } from '../config/worker-tuning';

const V8_FLAGS = [['--max-semi-space-size', 2], ['--max-old-space-size', 160], ['--heap-growing-percent', 100]] as const;
const MARK = 'CAIRN_WORKER_TUNED';

/** Replaces this process with a tuned one when it is not tuned yet; returns only when it will not. */
export function relaunchTuned(argv: string[] = process.argv.slice(1)): void {
  const env = process.env;
  if (!workerTuning(env) || env[MARK] === '1' || typeof process.execve !== 'function') return;
  const given = (flag: string) => process.execArgv.some((a) => a.startsWith(flag)) || (env.NODE_OPTIONS ?? '').includes(flag);
  const missing = V8_FLAGS.filter(([flag]) => !given(flag)).map(([flag, value]) => `${flag}=${value}`);
  if (env.MALLOC_ARENA_MAX !== undefined && missing.length === 0) return;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...missing, ...argv], { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2', [MARK]: '1' });
}
