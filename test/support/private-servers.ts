/**
 * A PostgreSQL cluster and a Temporal dev server of a test's own, on free loopback ports with their own data:
 * a test can restart them without touching the shared stack. Stopped by their own pid (pg_ctl reads this
 * cluster's postmaster.pid; the Temporal server is this process's child).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { PostgresTarget } from '../../config/types';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const TEMPORAL = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'bin', 'temporal');
const asRoot = process.getuid?.() === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function until(what: string, seconds: number, ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready within ${seconds} s`);
}

/** Runs a PostgreSQL tool as the cluster's owner: 'postgres' when we are root (PostgreSQL refuses root). */
function asOwner(tool: string, args: string[]): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class PrivatePostgres {
  private constructor(readonly port: number, readonly dir: string) {}

  static async create(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort(), mkdtempSync(join(tmpdir(), 'cairn-pg-')));
    chmodSync(pg.dir, 0o777);
    const pwfile = join(pg.dir, 'pw');
    writeFileSync(pwfile, 'cairn\n', { mode: 0o644 });
    asOwner('initdb', ['-D', join(pg.dir, 'data'), '-U', 'cairn', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    return pg;
  }

  /** A target for database `database` on this cluster. */
  target(database: string): PostgresTarget {
    return { type: 'postgres', name: database, host: '127.0.0.1', port: this.port, user: 'cairn', password: 'cairn', database };
  }

  async start(): Promise<void> {
    asOwner('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start',
      '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir}`]);
    await until(`private PostgreSQL on ${this.port}`, 60, async () => {
      const c = new Client({ ...this.target('postgres'), connectionTimeoutMillis: 2000 });
      return c.connect().then(() => c.end().then(() => true), () => false);
    });
  }

  /** Stops it at once, like a crash or a kill -9 of the server (immediate mode: no checkpoint, clients cut). */
  stop(): void {
    try {
      asOwner('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
  }

  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateTemporal {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number, readonly uiPort: number, readonly dir: string) {}

  static async create(): Promise<PrivateTemporal> {
    return new PrivateTemporal(await freePort(), await freePort(), mkdtempSync(join(tmpdir(), 'cairn-temporal-')));
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port and database file, and waits until the namespace answers. */
  async start(): Promise<void> {
    this.child = spawn(TEMPORAL, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(this.port), '--ui-port', String(this.uiPort),
      '--http-port', String(await freePort()), '--metrics-port', String(await freePort()), '--db-filename', join(this.dir, 'temporal.db'), '--log-level', 'error'], { stdio: 'ignore' });
    await until(`private Temporal on ${this.port}`, 120, async () => {
      if (this.child?.exitCode !== null) throw new Error(`temporal exited with ${this.child?.exitCode}`);
      try {
        execFileSync(TEMPORAL, ['operator', 'namespace', 'describe', '--address', this.address, '--namespace', 'default'], { stdio: 'ignore', timeout: 10_000 });
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Stops it by its pid (SIGTERM, as a service manager restarting it would). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
