/**
 * A MinIO of the test's own, from the stack's binary, on a free port with its own data directory: a test can
 * take it down and bring it back without touching the shared one other tests use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const MINIO = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'bin', 'minio');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

export class PrivateMinio {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number, readonly consolePort: number, readonly dataDir: string) {}

  static async create(): Promise<PrivateMinio> {
    return new PrivateMinio(await freePort(), await freePort(), mkdtempSync(join(tmpdir(), 'cairn-minio-')));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port and data, and waits until it is ready. */
  async start(): Promise<void> {
    this.child = spawn(MINIO, ['server', this.dataDir, '--address', `127.0.0.1:${this.port}`, '--console-address', `127.0.0.1:${this.consolePort}`, '--quiet'], {
      env: { ...process.env, MINIO_ROOT_USER: process.env.MINIO_ACCESS_KEY ?? 'cairn', MINIO_ROOT_PASSWORD: process.env.MINIO_SECRET_KEY ?? 'cairn-secret', MINIO_BROWSER: 'off' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`minio exited with ${this.child.exitCode} before it was ready`);
      if (await fetch(`${this.endpoint}/minio/health/ready`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`minio on port ${this.port} was not ready within 60 s`);
  }

  /** Stops it by its own pid, abruptly, as a crashed or unplugged store. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
