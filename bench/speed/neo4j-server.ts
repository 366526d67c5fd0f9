/**
 * A Neo4j instance of the bench's own: the stack's launcher (stack/neo4j, neo4j-harness) on a free loopback port with
 * a scratch home. Community has one user database per server, and other helpers' tests wipe the shared main and
 * drill instances, so a bench that seeds 100k nodes and restores into an empty database needs servers nobody else
 * touches. Stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Neo4jTarget } from '../../config/types';
import { freePort } from '../../test/support/private-servers';

const HOME = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'neo4j');
export const BENCH_NEO4J_PASSWORD = 'cairn-bench-neo4j';

export interface PrivateNeo4j { target: Neo4jTarget; pid: number; stop(): Promise<void> }

/** Starts one instance; `apoc` puts the stack's APOC core jars on it (the main instance's setup). */
export async function startPrivateNeo4j(name: string, apoc: boolean, heap = '1g'): Promise<PrivateNeo4j> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-${name}-`));
  const plugins = apoc ? join(HOME, 'plugins') : join(dir, 'no-plugins');
  mkdirSync(plugins, { recursive: true });
  const cp = [join(HOME, 'cairn-neo4j.jar'), join(HOME, 'lib', '*'), ...(apoc ? [join(plugins, '*')] : [])].join(':');
  const child: ChildProcess = spawn('java', [`-Xms256m`, `-Xmx${heap}`, '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError',
    '--add-opens=java.base/java.nio=ALL-UNNAMED', '--add-opens=java.base/java.io=ALL-UNNAMED', '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '-Dlog4j2.disable.jmx=true', '-cp', cp, 'cairn.Neo4jLauncher', '--port', String(port), '--home', join(dir, 'home'), '--plugins', plugins],
  { env: { ...process.env, NEO4J_PASSWORD: BENCH_NEO4J_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within 180 s:\n${out.slice(-3000)}`)), 180_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      if (out.includes('cairn-neo4j ready')) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) during start-up:\n${out.slice(-3000)}`)); });
  });
  const stop = () => new Promise<void>((resolve) => {
    const done = () => { rmSync(dir, { recursive: true, force: true }); resolve(); };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => { clearTimeout(force); done(); });
    child.kill('SIGTERM');
  });
  return {
    pid: child.pid!, stop,
    target: { type: 'neo4j', name, uri: `bolt://127.0.0.1:${port}`, user: 'neo4j', password: BENCH_NEO4J_PASSWORD, database: 'neo4j' },
  };
}
