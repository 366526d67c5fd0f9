/**
 * The private directory a restore spools its archive into, in TMPDIR. A restore removes its own afterwards; a
 * worker killed mid-restore cannot, and a parallel restore's spool is the whole decompressed archive. So each
 * directory is named after the process that owns it (pid and start time, which a reused pid does not share),
 * and making one removes those whose owner is gone. The host's name is in it too: a TMPDIR shared with other
 * hosts or containers holds directories whose owners this one cannot see.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'cairn-pg-restore-';

/** host.pid.starttime of a running process here (field 22 of /proc/<pid>/stat), or undefined when there is none. */
function processMark(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${os.hostname()}.${pid}.${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

export async function makeSpoolDir(): Promise<string> {
  const tmp = os.tmpdir();
  await removeOrphans(tmp).catch(() => undefined); // best effort: a sweep that fails must not fail the restore
  return fs.mkdtemp(path.join(tmp, `${PREFIX}${processMark(process.pid) ?? process.pid}-`));
}

async function removeOrphans(tmp: string): Promise<void> {
  for (const name of await fs.readdir(tmp)) {
    // <prefix><host>.<pid>.<start>-<6 random characters, from mkdtemp>
    const owner = name.startsWith(PREFIX) ? /^(.+)\.(\d+)\.(\d+)-[^-]{6}$/.exec(name.slice(PREFIX.length)) : null;
    if (!owner || owner[1] !== os.hostname()) continue; // another host's, or not named by an owner (an older worker's)
    if (processMark(Number(owner[2])) === `${owner[1]}.${owner[2]}.${owner[3]}`) continue;
    await fs.rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => undefined); // another user's: not ours to remove
  }
}
