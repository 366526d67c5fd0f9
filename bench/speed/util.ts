/** Small shared pieces of the speed bench: units, logging, and timing a child process with its peak RSS. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { procStatus } from '../pg-memory';

export const MiB = 1024 * 1024;
export const log = (message: string) => console.log(`[bench] ${message}`);
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface Timed { ms: number; peakRss: number }

/**
 * Runs a command to completion with stdout to `stdoutPath` (default /dev/null), sampling its peak RSS
 * (and its children's, for a shell pipeline) every 100 ms. Rejects, with its stderr, when it fails.
 */
export async function timedCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, stdoutPath = '/dev/null'): Promise<Timed> {
  const out = openSync(stdoutPath, 'w');
  const began = Date.now();
  let peakRss = 0;
  try {
    const child = spawn(cmd, args, { env, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d.toString(); });
    const timer = setInterval(() => {
      const s = child.pid ? procStatus(child.pid) : undefined;
      if (s) peakRss = Math.max(peakRss, s.hwm);
    }, 100);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    }).finally(() => clearInterval(timer));
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-2000)}`);
  } finally {
    closeSync(out);
  }
  return { ms: Date.now() - began, peakRss };
}
