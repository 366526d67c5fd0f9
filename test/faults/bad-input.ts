/**
 * Bad input on every surface: the `cairn` CLI, the Temporal CLI starting workflows directly, and config
 * (environment variables to loadConfig). Each case must be refused with a clear error naming what is wrong,
 * and change nothing: the bucket listing and the catalog are compared before and after each case.
 * The HTTP API's cases go in HTTP_CASES once it lands (another engineer is building it).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config/load';
import { Catalog } from '../../catalog/catalog';
import { ObjectStore } from '../../storage/s3';
import type { FaultQueue } from './queue';

export interface BadInputCase {
  surface: 'cli' | 'temporal' | 'config' | 'http';
  name: string;
  /** runs the input; resolves to the error an operator sees, or throws if the input was accepted */
  run: () => Promise<string>;
  /** what the error must say */
  says: RegExp;
}

const CAIRN = join(__dirname, '..', '..', '..', 'bin', 'cairn.js');
const TEMPORAL = join(process.env.CAIRN_HOME ?? join(homedir(), '.cache', 'cairn'), 'bin', 'temporal');

function refusedBy(cmd: string, args: string[], env: Record<string, string>): string {
  const res = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  if (res.status === 0) throw new Error(`accepted (exit 0): ${res.stdout.slice(0, 300)}`);
  return `${res.stderr}\n${res.stdout}`.trim();
}

/** The workflow the Temporal CLI started, run to its end: its failure message, or the CLI's own refusal. */
async function temporalStart(client: Client, queue: FaultQueue, type: string, input: { json?: string; file?: string }): Promise<string> {
  const workflowId = `fault-input-${randomUUID()}`;
  const args = ['workflow', 'start', '--address', queue.config.temporal.address, '--namespace', queue.config.temporal.namespace,
    '--task-queue', queue.config.temporal.taskQueue, '--type', type, '--workflow-id', workflowId,
    ...(input.file ? ['--input-file', input.file] : ['--input', input.json ?? ''])];
  const res = spawnSync(TEMPORAL, args, { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) return `${res.stderr}\n${res.stdout}`.trim();
  try {
    await client.workflow.getHandle(workflowId).result();
  } catch (err) {
    let e = err as { message: string; cause?: unknown };
    const messages = [e.message];
    while (e.cause) { e = e.cause as typeof e; messages.push(e.message); }
    return messages.join(': ');
  }
  throw new Error(`workflow ${type} accepted ${input.json ?? input.file}`);
}

function configError(env: Record<string, string>): Promise<string> {
  try {
    loadConfig({ ...process.env, ...env });
  } catch (err) {
    return Promise.resolve((err as Error).message);
  }
  return Promise.reject(new Error(`config accepted ${JSON.stringify(env).slice(0, 200)}`));
}

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cairn-bad-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

/**
 * Everything a bad input could have changed: the queue's bucket, the catalog's rows about `source`, the
 * databases named after `source` or `occupied`, and `occupied`'s content. (The catalog and the server are
 * shared with other tests running at the same time, so only what concerns this scenario is compared.)
 */
export async function snapshot(queue: FaultQueue, source: string, occupied: string): Promise<string> {
  const store = new ObjectStore(queue.config.storage);
  const catalog = new Catalog(queue.config.metadata);
  try {
    const keys = (await store.list('')).map((o) => `${o.key}:${o.size}`).sort();
    const rows = await catalog.pool.query(`SELECT
      (SELECT string_agg(backup_id || ':' || status, ',' ORDER BY id) FROM backup_history WHERE target = $1) AS backups,
      (SELECT count(*) FROM restore_history WHERE targets LIKE '%' || $1 || '%') AS restores,
      (SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE $1 || '%' OR datname LIKE $2 || '%') AS databases`, [source, occupied]);
    return JSON.stringify({ keys, catalog: rows.rows[0] });
  } finally {
    store.destroy();
    await catalog.close();
  }
}

/** The cases. `source` has one good backup in the queue's bucket; `occupied` is a non-empty database. */
export function badInputCases(client: Client, queue: FaultQueue, source: string, occupied: string): BadInputCase[] {
  const cli = (name: string, args: string[], says: RegExp): BadInputCase => ({ surface: 'cli', name, says, run: async () => refusedBy(process.execPath, [CAIRN, ...args], queue.env) });
  const wf = (name: string, type: string, json: string, says: RegExp): BadInputCase => ({ surface: 'temporal', name, says, run: () => temporalStart(client, queue, type, { json }) });
  const cfg = (name: string, env: Record<string, string>, says: RegExp): BadInputCase => ({ surface: 'config', name, says, run: () => configError(env) });
  const hugeFile = configFile(JSON.stringify({ type: 'postgres', target: 'x'.repeat(3 * 1024 * 1024) }));
  return [
    cli('unknown command', ['frobnicate'], /unknown command|usage/i),
    cli('unknown flag', ['list', '--colour'], /--colour/),
    cli('unknown target name', ['backup', '--target', 'no-such-target'], /no-such-target/),
    cli('target name with ../', ['backup', '--target', '../etc'], /\.\.\/etc|target/i),
    cli('flag without its value', ['backup', '--target'], /--target/),
    cli('unknown type', ['list', '--type', 'mysql'], /mysql/),
    cli('limit not a number', ['list', '--limit', 'abc'], /limit/i),
    cli('negative limit', ['list', '--limit', '-5'], /limit/i),
    cli('malformed backup id', ['restore', '--type', 'postgres', '--backup-id', 'garbage', '--wait'], /garbage|backup id/i),
    cli('unknown backup id', ['restore', '--type', 'postgres', '--backup-id', `postgres_${source}_20990101_000000`, '--wait'], /20990101_000000/),
    cli('backup id with ../', ['restore', '--type', 'postgres', '--backup-id', '../../etc/passwd', '--wait'], /backup id|\.\.\//i),
    cli('backup id as an absolute path', ['restore', '--type', 'postgres', '--backup-id', '/etc/passwd', '--wait'], /backup id|\/etc\/passwd/i),
    cli('backup id with encoded traversal', ['restore', '--type', 'postgres', '--backup-id', `postgres_${source}%2F..%2F..%2F_20250101_000000`, '--wait'], /backup id|%2F/i),
    cli('unknown restore type', ['restore', '--type', 'oracle'], /oracle/),
    cli('zero restore jobs', ['restore', '--type', 'postgres', '--target', source, '--jobs', '0'], /jobs/),
    cli('restore over a non-empty database without force', ['restore', '--type', 'postgres', '--target', source, '--into', occupied, '--wait'], /not empty.*force/is),
    cli('unknown set id', ['drill', '--set', '../../x', '--wait'], /set/i),
    cli('unknown schedule action', ['schedule', 'explode'], /usage: cairn schedule apply\|list/),
    cli('huge target name', ['backup', '--target', 'a'.repeat(100_000)], /target/i),
    wf('malformed JSON', 'backupCycle', '{"targets": [', /json|invalid|unmarshal|parse/i),
    wf('targets of the wrong type', 'backupCycle', '{"targets": "all"}', /targets/),
    wf('unknown field', 'backupCycle', '{"targetz": ["x"]}', /unknown field.*targetz/),
    wf('unknown version', 'backupCycle', '{"version": 2}', /version/),
    wf('unknown target name', 'backupCycle', '{"targets": ["no-such-target"]}', /no-such-target/),
    wf('target name with ../', 'backupCycle', '{"targets": ["../x"]}', /targets|\.\.\/x/),
    wf('an array instead of an object', 'restoreBackup', '[1, 2]', /input|object/i),
    wf('missing type', 'restoreBackup', '{}', /type/),
    wf('restore type of the wrong type', 'restoreBackup', '{"type": 5}', /type/),
    wf('malformed backup id', 'restoreBackup', '{"type": "postgres", "backupId": "nope"}', /backupId|backup id/i),
    wf('backup id with ../', 'restoreBackup', '{"type": "postgres", "backupId": "../../etc/passwd"}', /backupId|backup id/i),
    wf('backup id as an absolute path', 'restoreBackup', '{"type": "postgres", "backupId": "/tmp/x_20250101_000000"}', /backupId|backup id/i),
    wf('backup id with encoded traversal', 'restoreBackup', `{"type": "postgres", "backupId": "postgres_${source}%2e%2e%2f_20250101_000000"}`, /backupId|backup id/i),
    wf('force not a boolean', 'restoreBackup', `{"type": "postgres", "target": "${source}", "force": "yes"}`, /force/),
    wf('restore over a non-empty database without force', 'restoreBackup', `{"type": "postgres", "target": "${source}", "into": "${occupied}"}`, /not empty.*force/is),
    wf('unknown drill input field', 'drDrill', '{"target": "production"}', /unknown field/),
    wf('drill set id with ../', 'drDrill', '{"setId": "../../x"}', /setId|set/i),
    { surface: 'temporal', name: 'huge input (3 MB)', says: /size|limit|large|exceed/i, run: () => temporalStart(client, queue, 'restoreBackup', { file: hugeFile }) },
    cfg('malformed cron', { BACKUP_SCHEDULE: 'every day' }, /BACKUP_SCHEDULE/),
    cfg('cron minute out of range', { BACKUP_SCHEDULE: '61 * * * *' }, /BACKUP_SCHEDULE/),
    cfg('unknown target type', { CAIRN_TARGET_TYPES: 'oracle' }, /CAIRN_TARGET_TYPES|oracle/),
    cfg('port not a number', { POSTGRES_PORT: 'abc' }, /POSTGRES_PORT/),
    cfg('negative retention', { BACKUP_RETENTION_DAYS: '-1' }, /BACKUP_RETENTION_DAYS/),
    cfg('retry window of zero', { CAIRN_RETRY_WINDOW_MINUTES: '0' }, /CAIRN_RETRY_WINDOW_MINUTES/),
    cfg('bucket name invalid', { BACKUP_BUCKET: 'Bad_Bucket!' }, /BACKUP_BUCKET/),
    cfg('store secret in a missing file', { MINIO_SECRET_KEY_FILE: '/nonexistent/minio-secret' }, /MINIO_SECRET_KEY_FILE/),
    cfg('prefix with ../', { BACKUP_PREFIX: '../escape' }, /BACKUP_PREFIX/),
    cfg('prefix as an absolute path', { BACKUP_PREFIX: '/etc' }, /BACKUP_PREFIX/),
    cfg('config file missing', { CAIRN_CONFIG: '/nonexistent/cairn.yaml' }, /CAIRN_CONFIG/),
    cfg('config file malformed JSON', { CAIRN_CONFIG: configFile('{"targets": [') }, /CAIRN_CONFIG/),
    cfg('config file empty', { CAIRN_CONFIG: configFile('') }, /CAIRN_CONFIG/),
    cfg('config target name with ../', { CAIRN_CONFIG: configFile('targets:\n  - { type: postgres, name: "../x", database: x }\n') }, /name|\.\.\/x/),
    cfg('config target of unknown type', { CAIRN_CONFIG: configFile('targets:\n  - { type: mysql, name: x }\n') }, /mysql/),
    cfg('config unknown setting', { CAIRN_CONFIG: configFile('BACKUP_SCHEDUEL: "0 3 * * *"\ntargets:\n  - { type: postgres, name: x, host: h, user: u, password: p, database: x }\n') }, /BACKUP_SCHEDUEL/),
    ...HTTP_CASES,
  ];
}

/** The HTTP API's bad-input cases, once it exists: same shape, surface 'http'. */
export const HTTP_CASES: BadInputCase[] = [];
