/**
 * The config loader as operators meet it: what the defaults point at, how targets are declared (environment
 * or CAIRN_CONFIG file), and that every mistake is reported as one line naming the setting to fix.
 * Pure: no servers, only temporary files.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/errors';
import type { Neo4jTarget, PostgresTarget, QdrantTarget, Target } from '../config/types';

const ROOT = path.resolve(__dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-config-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}

/** Runs `load`, which must fail with a ConfigError for `key` whose one-line message contains every fragment. */
function configError(load: () => unknown, key: string, ...fragments: string[]): ConfigError {
  let caught: unknown;
  try {
    load();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${key}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.key, key);
  // The CLI prints the message as the whole diagnosis, so it must stand alone on one line.
  assert.doesNotMatch(caught.message, /\n/);
  assert.match(caught.message, new RegExp(`^config: ${key.replace(/[[\].]/g, '\\$&')} `));
  for (const f of fragments) assert.ok(caught.message.includes(f), `'${caught.message}' mentions '${f}'`);
  return caught;
}

const ofType = <T extends Target>(targets: Target[], type: T['type']): T[] => targets.filter((t): t is T => t.type === type);

/** The local stack's defaults, read from stack/lib.sh (`: "${NAME:=value}"`), so the two cannot drift apart. */
function stackDefaults(): Record<string, string> {
  const text = readFileSync(path.join(ROOT, 'stack', 'lib.sh'), 'utf8');
  const vars: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Z0-9_]+):=([^}]*)\}/g)) vars[m[1]!] = m[2]!;
  return vars;
}

test('with no settings at all, Cairn points at the local stack (npm run stack:up)', () => {
  const stack = stackDefaults();
  for (const key of ['STACK_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT',
    'MINIO_PORT', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY', 'NEO4J_BOLT_PORT', 'NEO4J_USER', 'NEO4J_PASSWORD', 'QDRANT_PORT']) {
    assert.ok(stack[key] !== undefined, `stack/lib.sh defines a default for ${key}`);
  }
  const config = loadConfig({});

  assert.deepEqual(config.targets.map((t) => `${t.type}/${t.name}`), ['postgres/cairn', 'neo4j/neo4j', 'qdrant/qdrant']);
  const [pg] = ofType<PostgresTarget>(config.targets, 'postgres');
  assert.deepEqual(
    { host: pg!.host, port: pg!.port, user: pg!.user, password: pg!.password, database: pg!.database },
    { host: stack.STACK_HOST, port: Number(stack.POSTGRES_PORT), user: stack.POSTGRES_USER, password: stack.POSTGRES_PASSWORD, database: stack.POSTGRES_DB },
  );
  const [neo] = ofType<Neo4jTarget>(config.targets, 'neo4j');
  assert.equal(neo!.uri, `bolt://${stack.STACK_HOST}:${stack.NEO4J_BOLT_PORT}`);
  assert.equal(neo!.user, stack.NEO4J_USER);
  assert.equal(neo!.password, stack.NEO4J_PASSWORD);
  const [qd] = ofType<QdrantTarget>(config.targets, 'qdrant');
  assert.equal(qd!.url, `http://${stack.STACK_HOST}:${stack.QDRANT_PORT}`);
  assert.equal(qd!.apiKey, undefined);

  assert.equal(config.storage.endpoint, `http://${stack.STACK_HOST}:${stack.MINIO_PORT}`);
  assert.equal(config.storage.accessKey, stack.MINIO_ACCESS_KEY);
  assert.equal(config.storage.secretKey, stack.MINIO_SECRET_KEY);
  assert.equal(config.temporal.address, `${stack.STACK_HOST}:${stack.TEMPORAL_PORT}`);
  assert.equal(config.temporal.uiUrl, `http://${stack.STACK_HOST}:${stack.TEMPORAL_UI_PORT}`);
  // backup_history lives next to the data on the same server unless told otherwise.
  assert.deepEqual(config.metadata, { host: pg!.host, port: pg!.port, user: pg!.user, password: pg!.password, database: pg!.database });
  assert.equal(config.temporal.tls, undefined);
});

test('POSTGRES_DATABASES=a,b backs up two databases of the same server', () => {
  const config = loadConfig({ POSTGRES_HOST: 'db.internal', POSTGRES_DATABASES: 'orders, billing', CAIRN_TARGET_TYPES: 'postgres' });
  const pgs = ofType<PostgresTarget>(config.targets, 'postgres');
  assert.deepEqual(pgs.map((t) => [t.name, t.database, t.host]), [['orders', 'orders', 'db.internal'], ['billing', 'billing', 'db.internal']]);
});

test('CAIRN_TARGET_TYPES limits which kinds of target are backed up, and rejects unknown kinds', () => {
  assert.deepEqual(loadConfig({ CAIRN_TARGET_TYPES: 'postgres' }).targets.map((t) => t.type), ['postgres']);
  assert.deepEqual(loadConfig({ CAIRN_TARGET_TYPES: 'qdrant, neo4j' }).targets.map((t) => t.type), ['neo4j', 'qdrant']);
  configError(() => loadConfig({ CAIRN_TARGET_TYPES: 'postgres,mongodb' }), 'CAIRN_TARGET_TYPES', "'mongodb'");
});

test('a bad port is one line naming POSTGRES_PORT and the bad value', () => {
  configError(() => loadConfig({ POSTGRES_PORT: 'abc' }), 'POSTGRES_PORT', "'abc'");
  configError(() => loadConfig({ POSTGRES_PORT: '70000' }), 'POSTGRES_PORT', "'70000'");
});

test('*_FILE secrets are read from their files, without the trailing newline editors add', () => {
  const config = loadConfig({
    POSTGRES_PASSWORD_FILE: file('pg-password', 'pg-from-file\n'),
    NEO4J_PASSWORD_FILE: file('neo4j-password', 'neo4j-from-file\r\n'),
    MINIO_ACCESS_KEY_FILE: file('minio-access', 'access-from-file'),
    MINIO_SECRET_KEY_FILE: file('minio-secret', 'secret-from-file\n'),
    QDRANT_API_KEY_FILE: file('qdrant-key', 'qdrant-key-from-file\n'),
  });
  assert.equal(ofType<PostgresTarget>(config.targets, 'postgres')[0]!.password, 'pg-from-file');
  assert.equal(config.metadata.password, 'pg-from-file', 'backup_history uses the same server password');
  assert.equal(ofType<Neo4jTarget>(config.targets, 'neo4j')[0]!.password, 'neo4j-from-file');
  assert.equal(config.storage.accessKey, 'access-from-file');
  assert.equal(config.storage.secretKey, 'secret-from-file');
  assert.equal(ofType<QdrantTarget>(config.targets, 'qdrant')[0]!.apiKey, 'qdrant-key-from-file');
});

test('a *_FILE that cannot be read names the *_FILE setting and the path', () => {
  const missing = path.join(scratch, 'no-such-secret');
  configError(() => loadConfig({ POSTGRES_PASSWORD_FILE: missing }), 'POSTGRES_PASSWORD_FILE', missing, 'ENOENT');
  configError(() => loadConfig({ MINIO_SECRET_KEY_FILE: missing }), 'MINIO_SECRET_KEY_FILE', missing);
});

test('setting a secret both directly and as *_FILE is refused rather than guessing which one wins', () => {
  const pw = file('both-pw', 'from-file');
  configError(() => loadConfig({ POSTGRES_PASSWORD: 'direct', POSTGRES_PASSWORD_FILE: pw }), 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE');
  configError(() => loadConfig({ NEO4J_PASSWORD: 'direct', NEO4J_PASSWORD_FILE: pw }), 'NEO4J_PASSWORD', 'NEO4J_PASSWORD_FILE');
});

test('a bad cron expression in BACKUP_SCHEDULE is named, and a good one is kept as given', () => {
  configError(() => loadConfig({ BACKUP_SCHEDULE: '0 2 * *' }), 'BACKUP_SCHEDULE', "'0 2 * *'");
  configError(() => loadConfig({ BACKUP_SCHEDULE: 'every night' }), 'BACKUP_SCHEDULE', "'every night'");
  assert.equal(loadConfig({ BACKUP_SCHEDULE: '30 1 * * 1-5' }).backup.schedule, '30 1 * * 1-5');
  configError(() => loadConfig({ BACKUP_SCHEDULE: '61 * * * *' }), 'BACKUP_SCHEDULE', "minute '61'");
  configError(() => loadConfig({ BACKUP_SCHEDULE: '0 2 * 13 *' }), 'BACKUP_SCHEDULE', "month '13'");
  assert.equal(loadConfig({ BACKUP_SCHEDULE: '*/15 0-23/2 1 1,12 0-7' }).backup.schedule, '*/15 0-23/2 1 1,12 0-7');
});

test('a bucket name S3 would reject is named BACKUP_BUCKET before any upload is tried', () => {
  configError(() => loadConfig({ BACKUP_BUCKET: 'My_Backups' }), 'BACKUP_BUCKET', "'My_Backups'");
  configError(() => loadConfig({ BACKUP_BUCKET: 'ab' }), 'BACKUP_BUCKET', "'ab'");
});

test('a CAIRN_CONFIG YAML file declares any number of targets, secrets included by file', () => {
  const pw = file('reports-pw', 'reports-secret\n');
  const configPath = file('targets.yaml', `
BACKUP_BUCKET: nightly
targets:
  - type: postgres
    name: orders
    host: orders-db.internal
    user: backup
    password: orders-secret
    database: orders
  - type: postgres
    name: reports
    host: reports-db.internal
    port: 6432
    user: backup
    password_file: ${pw}
    database: reports
  - type: neo4j
    name: graph
    uri: neo4j://graph.internal:7687
    password: graph-secret
  - type: qdrant
    name: vectors
    url: http://vectors.internal:6333/
    api_key: vectors-key
`);
  const config = loadConfig({ CAIRN_CONFIG: configPath });
  assert.deepEqual(config.targets, [
    { type: 'postgres', name: 'orders', host: 'orders-db.internal', port: 5432, user: 'backup', password: 'orders-secret', database: 'orders' },
    { type: 'postgres', name: 'reports', host: 'reports-db.internal', port: 6432, user: 'backup', password: 'reports-secret', database: 'reports' },
    { type: 'neo4j', name: 'graph', uri: 'neo4j://graph.internal:7687', user: 'neo4j', password: 'graph-secret', database: 'neo4j' },
    { type: 'qdrant', name: 'vectors', url: 'http://vectors.internal:6333', apiKey: 'vectors-key' },
  ]);
  assert.equal(config.storage.bucket, 'nightly');
});

test('a bad target entry in the file is named by its position and field', () => {
  const badType = file('bad-type.yaml', 'targets:\n  - { type: postgres, name: a, user: u, password: p, database: a }\n  - { type: mysql, name: b }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: badType }), 'targets[1].type', "'mysql'");
  const missing = file('missing-field.yaml', 'targets:\n  - { type: postgres, name: a, user: u, password: p }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: missing }), 'targets[0].database', 'required');
  const badPort = file('bad-port.yaml', 'targets:\n  - { type: postgres, name: a, user: u, password: p, database: a, port: lots }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: badPort }), 'targets[0].port', "'lots'");
  const missingPw = file('missing-pw-file.yaml', `targets:\n  - { type: neo4j, name: g, password_file: ${path.join(scratch, 'absent')} }\n`);
  configError(() => loadConfig({ CAIRN_CONFIG: missingPw }), 'targets[0].password_file', 'absent');
});

test('a CAIRN_CONFIG that is missing or not YAML is named, with the path', () => {
  const missing = path.join(scratch, 'absent.yaml');
  configError(() => loadConfig({ CAIRN_CONFIG: missing }), 'CAIRN_CONFIG', missing);
  configError(() => loadConfig({ CAIRN_CONFIG: file('broken.yaml', 'targets: [unclosed\n') }), 'CAIRN_CONFIG', 'not valid YAML');
  configError(() => loadConfig({ CAIRN_CONFIG: file('list.yaml', '- a\n- b\n') }), 'CAIRN_CONFIG', 'mapping');
});

test('the environment overrides the file; an empty variable does not blank a file setting', () => {
  const configPath = file('settings.yaml', 'BACKUP_RETENTION_DAYS: 7\nBACKUP_BUCKET: from-file\nTEMPORAL_NAMESPACE: file-ns\n');
  const config = loadConfig({ CAIRN_CONFIG: configPath, BACKUP_RETENTION_DAYS: '14', BACKUP_BUCKET: '' });
  assert.equal(config.backup.retentionDays, 14);
  assert.equal(config.storage.bucket, 'from-file');
  assert.equal(config.temporal.namespace, 'file-ns');
});

test('two targets with one name are refused, wherever they are declared', () => {
  configError(() => loadConfig({ POSTGRES_DATABASES: 'app,app' }), 'POSTGRES_DATABASES/NEO4J_NAME/QDRANT_NAME', "'app'");
  // A database named like the default Neo4j target would share its backup ids.
  configError(() => loadConfig({ POSTGRES_DATABASES: 'neo4j' }), 'POSTGRES_DATABASES/NEO4J_NAME/QDRANT_NAME', "'neo4j'");
  const dup = file('dup.yaml', 'targets:\n  - { type: qdrant, name: main }\n  - { type: neo4j, name: main, password: p }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: dup }), 'targets', "'main'");
});

test('target names that would break object keys or backup ids are refused', () => {
  configError(() => loadConfig({ QDRANT_NAME: 'vec/tors' }), 'QDRANT_NAME', "'vec/tors'");
  configError(() => loadConfig({ NEO4J_NAME: '..' }), 'NEO4J_NAME', "'..'");
  const cfg = file('dotted.yaml', 'targets:\n  - { type: qdrant, name: a.b }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: cfg }), 'targets[0].name', "'a.b'");
});

test('any PostgreSQL database name works; its target name is made safe for keys and ids', () => {
  const pgs = ofType<PostgresTarget>(loadConfig({ CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: 'ai_platform,My_DB,Clara Main' }).targets, 'postgres');
  assert.deepEqual(pgs.map((t) => [t.name, t.database]), [['ai_platform', 'ai_platform'], ['my_db', 'My_DB'], ['clara-main', 'Clara Main']]);
  configError(() => loadConfig({ CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DB: 'x'.repeat(64) }), 'POSTGRES_DB', '63 bytes');
});

test('Temporal mTLS needs both the certificate and the key', () => {
  configError(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: '/etc/cairn/client.pem' }), 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE');
  configError(() => loadConfig({ TEMPORAL_TLS_KEY_FILE: '/etc/cairn/client.key' }), 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE');
  const tls = loadConfig({ TEMPORAL_TLS_CERT_FILE: '/etc/cairn/client.pem', TEMPORAL_TLS_KEY_FILE: '/etc/cairn/client.key' }).temporal.tls;
  assert.deepEqual(tls, { certFile: '/etc/cairn/client.pem', keyFile: '/etc/cairn/client.key' });
});

test('the CLI reports a config mistake as one line on stderr, no stack trace, and fails', () => {
  // Only what node needs: inherited CAIRN_*/POSTGRES_* settings must not change the outcome.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, POSTGRES_PORT: 'abc' };
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cairn.js'), 'list'], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.error, undefined);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${run.stderr}`);
  assert.ok(lines[0]!.startsWith('cairn list: config: POSTGRES_PORT'), lines[0]);
  assert.ok(lines[0]!.includes("'abc'"), lines[0]);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  assert.equal(run.stdout, '');
  assert.notEqual(run.status, 0);
  assert.notEqual(run.status, null, 'the CLI exits by itself rather than being killed');
});

test('a misspelt setting in a target entry is refused instead of silently falling back to a default server', () => {
  const cfg = file('typo.yaml', 'targets:\n  - { type: postgres, name: app, hostname: db.example, user: u, password: p, database: app }\n');
  configError(() => loadConfig({ CAIRN_CONFIG: cfg }), 'targets[0].hostname', 'not a setting of a postgres target', 'host');
});

test('secrets in the file stay exactly as written, even when they look like numbers', () => {
  const cfg = file('numeric.yaml', 'targets:\n  - { type: postgres, name: app, user: u, password: 00123, database: app, port: 6543 }\n');
  const [pg] = ofType<PostgresTarget>(loadConfig({ CAIRN_CONFIG: cfg }).targets, 'postgres');
  assert.equal(pg!.password, '00123');
  assert.equal(pg!.port, 6543);
});

test('a relative password_file is read beside the config file, wherever Cairn is started from', () => {
  const dir = mkdtempSync(path.join(scratch, 'rel-'));
  writeFileSync(path.join(dir, 'pg.secret'), 's3cret\n');
  const cfg = path.join(dir, 'cairn.yaml');
  writeFileSync(cfg, 'targets:\n  - { type: postgres, name: app, user: u, password_file: pg.secret, database: app }\n');
  assert.equal(ofType<PostgresTarget>(loadConfig({ CAIRN_CONFIG: cfg }).targets, 'postgres')[0]!.password, 's3cret');
});

test('a configuration with no target at all is refused: a worker that backs up nothing would look healthy', () => {
  configError(() => loadConfig({ CAIRN_CONFIG: file('empty.yaml', 'targets: []\n') }), 'targets', 'no backup target');
  configError(() => loadConfig({ CAIRN_TARGET_TYPES: ',' }), 'CAIRN_TARGET_TYPES', 'no backup target');
});

test('cairn help works even when the configuration is broken', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cairn.js'), 'help'], { env: { PATH: process.env.PATH, POSTGRES_PORT: 'abc' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /usage: cairn <command>/);
});
