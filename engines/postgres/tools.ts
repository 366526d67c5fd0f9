/** Locating and running the PostgreSQL client programs (pg_dump, pg_restore) without leaking the password. */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { PostgresTarget } from '../../config/types';
import { PermanentError } from '../engine';

/** The newest installed client major wins: pg_dump refuses servers newer than itself. */
export function pgBinary(name: 'pg_dump' | 'pg_restore' | 'psql'): string {
  if (process.env.CAIRN_PG_BIN) return `${process.env.CAIRN_PG_BIN}/${name}`;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a);
    for (const major of majors) {
      const path = `${root}/${major}/bin/${name}`;
      if (existsSync(path)) return path;
    }
  }
  return name;
}

/** Connection settings for libpq programs; the password travels in the environment, never on the command line. */
export function libpqEnv(target: PostgresTarget): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: target.host, PGPORT: String(target.port), PGUSER: target.user, PGPASSWORD: target.password,
    PGDATABASE: target.database, PGAPPNAME: 'cairn', PGCONNECT_TIMEOUT: '10',
  };
}

export type PgProcess = ChildProcessByStdio<Writable | null, Readable, Readable>;

/** `stdin` may be another child's stdout, passed on as the same pipe. */
export function spawnPg(name: 'pg_dump' | 'pg_restore', args: string[], target: PostgresTarget, stdin: 'pipe' | 'ignore' | Readable, env: NodeJS.ProcessEnv = {}): PgProcess {
  return spawn(pgBinary(name), args, { env: { ...libpqEnv(target), ...env }, stdio: [stdin, 'pipe', 'pipe'] }) as PgProcess;
}

/** Collects a child's stderr (bounded) and resolves with it when the child exits 0; otherwise rejects naming the problem. */
export function exited(child: PgProcess, what: string): Promise<string> {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { if (stderr.length < 1_000_000) stderr += d.toString('utf8'); });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new PermanentError(`${what}: could not run ${child.spawnfile}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stderr);
      const detail = stderr.trim().split('\n').filter((l) => !/^pg_(dump|restore): (processing|creating|executing|reading|finding|launching|last built-in|saving|dumping|implied|identifying|flagging)/.test(l)).slice(-5).join('; ');
      const message = `${what} failed (${signal ?? `exit ${code}`}): ${detail || 'no error output'}`;
      reject(isPermanentPgMessage(detail) ? new PermanentError(message) : new Error(message));
    });
  });
}

/** Problems that retrying cannot fix. */
export function isPermanentPgMessage(text: string): boolean {
  return /password authentication failed|no password supplied|role ".*" does not exist|database ".*" does not exist|permission denied|server version mismatch|aborting because of server version mismatch/i.test(text);
}

export function majorOf(versionText: string): number {
  const m = /(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!m) throw new Error(`cannot read a PostgreSQL version from '${versionText}'`);
  return Number(m[1]);
}

/** `pg_dump --version`, asked once per binary: a synchronous spawn blocks every other activity's streams. */
const versions = new Map<string, string>();
export function pgDumpVersion(): string {
  const bin = pgBinary('pg_dump');
  let v = versions.get(bin);
  if (v === undefined) versions.set(bin, v = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim());
  return v;
}
