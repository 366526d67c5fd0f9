/**
 * CAIRN_WORKER_TUNING: whether the worker process re-executes itself tuned for memory (worker/lean-process.ts).
 * Read from the raw environment, before the rest of the configuration is loaded: the tuning has to be in place
 * before the worker loads anything.
 */
import { ConfigError } from './errors';

export function workerTuning(env: NodeJS.ProcessEnv): boolean {
  const setting = (env.CAIRN_WORKER_TUNING ?? 'on').trim().toLowerCase();
  if (setting !== 'on' && setting !== 'off') throw new ConfigError('CAIRN_WORKER_TUNING', `must be on or off, got '${env.CAIRN_WORKER_TUNING}'`);
  return setting === 'on';
}
