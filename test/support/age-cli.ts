/** The reference age CLI, installed by stack/age-cli.sh on first use (cached under CAIRN_HOME). */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

let agePath: string | undefined;

export function ageBinary(): string {
  agePath ??= execFileSync('bash', [path.join(__dirname, '../../../stack/age-cli.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return agePath;
}

export function ageKeygen(): { identity: string; recipient: string } {
  const out = execFileSync(`${ageBinary()}-keygen`, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const identity = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(out)![0];
  const recipient = /^# public key: (age1[0-9a-z]+)$/m.exec(out)![1]!;
  return { identity, recipient };
}

/** Runs `age args...` with `input` on stdin; returns its stdout and exit status. */
export function age(args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(ageBinary(), args, { input, maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/**
 * age reads passphrases only from a terminal, never stdin or the environment: `script` (util-linux) gives it
 * a pseudo-terminal and types the passphrase (twice when encrypting, for the confirmation prompt).
 */
export function ageWithPassphrase(args: string[], passphrase: string, prompts: number): number | null {
  const command = [ageBinary(), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const typing = Array.from({ length: prompts }, () => `sleep 1; printf '%s\\n' '${passphrase}'`).join('; ');
  return spawnSync('bash', ['-c', `(${typing}; sleep 2) | script -qec "${command.replace(/"/g, '\\"')}" /dev/null`], { stdio: 'ignore', timeout: 60_000 }).status;
}
