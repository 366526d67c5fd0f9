/**
 * The replaced deployments' variables as the loader reads them: translated into Cairn's settings, errors naming
 * the variable the operator set, disagreements refused, secrets never echoed. Pure: no servers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, loadConfigWithSources } from '../config/load';
import { ConfigError } from '../config/errors';
import { showConfig } from '../config/show';
import type { Neo4jTarget, QdrantTarget, Target } from '../config/types';
import { backupIdFor, backupPrefix, parseBackupId } from '../storage/layout';

const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-vocabulary-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string, text: string) => { const p = path.join(scratch, name); writeFileSync(p, text); return p; };
const ofType = <T extends Target>(targets: Target[], type: T['type']): T[] => targets.filter((t): t is T => t.type === type);

function refused(env: NodeJS.ProcessEnv, key: string, ...fragments: string[]): string {
  let caught: unknown;
  try { loadConfig(env); } catch (err) { caught = err; }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError naming ${key}, got ${String(caught)}`);
  assert.equal(caught.key, key, caught.message);
  assert.doesNotMatch(caught.message, /\n/);
  for (const f of fragments) assert.ok(caught.message.includes(f), `'${caught.message}' mentions '${f}'`);
  return caught.message;
}

test('AI platform: underscore database names, MINIO_ENDPOINT as host:port, QDRANT_HOST/PORT and NEO4J_HOST/PORT', () => {
  const config = loadConfig({ POSTGRES_DB: 'ai_platform', MINIO_ENDPOINT: 'minio:9000', QDRANT_HOST: 'qdrant', QDRANT_PORT: '6333', NEO4J_HOST: 'neo4j', NEO4J_PORT: '7687' });
  assert.deepEqual(config.targets.map((t) => t.name), ['ai_platform', 'neo4j', 'qdrant']);
  assert.equal(config.metadata.database, 'ai_platform');
  assert.equal(config.storage.endpoint, 'http://minio:9000');
  assert.equal(ofType<QdrantTarget>(config.targets, 'qdrant')[0]!.url, 'http://qdrant:6333');
  assert.equal(ofType<Neo4jTarget>(config.targets, 'neo4j')[0]!.uri, 'bolt://neo4j:7687');
  assert.equal(loadConfig({ MINIO_ENDPOINT: 'minio.example:443', MINIO_SECURE: 'true' }).storage.endpoint, 'https://minio.example:443');
  assert.equal(loadConfig({ MINIO_ENDPOINT: 'minio.example', MINIO_USE_SSL: 'true' }).storage.endpoint, 'https://minio.example');
  refused({ MINIO_SECURE: 'true', MINIO_USE_SSL: 'false', MINIO_ENDPOINT: 'm:9000' }, 'MINIO_SECURE', 'MINIO_USE_SSL');
  refused({ MINIO_ENDPOINT: 'https://m:9000', MINIO_SECURE: 'false' }, 'MINIO_ENDPOINT', 'MINIO_SECURE');
  refused({ MINIO_ENDPOINT: 'minio:9000/path' }, 'MINIO_ENDPOINT', 'host:port', "'minio:9000/path'");
  refused({ QDRANT_HOST: 'qdrant', QDRANT_URL: 'http://other:6333' }, 'QDRANT_URL', 'QDRANT_HOST', 'the Qdrant server');
  refused({ NEO4J_HOST: 'neo4j', NEO4J_PORT: '7687', NEO4J_BOLT_PORT: '7688' }, 'NEO4J_PORT', 'NEO4J_BOLT_PORT');
  refused({ NEO4J_HOST: 'http://neo4j' }, 'NEO4J_HOST', 'host name');
  // The same server named twice is no conflict.
  assert.equal(ofType<Neo4jTarget>(loadConfig({ NEO4J_HOST: 'neo4j', NEO4J_URI: 'neo4j://neo4j:7687' }).targets, 'neo4j')[0]!.uri, 'neo4j://neo4j:7687');
});

test('errors name the variable the operator set, not the Cairn setting it feeds', () => {
  refused({ S3_BUCKET: 'Clara_Backups' }, 'S3_BUCKET', "'Clara_Backups'");
  refused({ DB_PORT: 'abc' }, 'DB_PORT', "'abc'");
  refused({ R2_BUCKET_NAME: 'x' }, 'R2_BUCKET_NAME');
  refused({ POSTGRES_DB: 'a'.repeat(70) }, 'POSTGRES_DB');
});

test('two variables naming one setting must agree; secrets are never echoed when they do not', () => {
  refused({ BACKUP_BUCKET: 'backups', S3_BUCKET: 'clara-backups' }, 'BACKUP_BUCKET', 'S3_BUCKET', "'backups'", "'clara-backups'");
  const message = refused({ MINIO_SECRET_KEY: 'first-secret', S3_SECRET_KEY: 'second-secret' }, 'MINIO_SECRET_KEY', 'S3_SECRET_KEY');
  assert.doesNotMatch(message, /first-secret|second-secret/);
  assert.equal(loadConfig({ BACKUP_BUCKET: 'same', S3_BUCKET: 'same' }).storage.bucket, 'same');
});

test('Graphiti: S3_BACKUP_BUCKET and AWS_REGION without keys mean AWS S3 through the default credential chain', () => {
  const config = loadConfig({ S3_BACKUP_BUCKET: 'graphiti-backups', AWS_REGION: 'ap-northeast-3' });
  assert.deepEqual(config.targets.map((t) => t.type), ['postgres', 'neo4j']);
  assert.equal(config.storage.endpoint, 'https://s3.ap-northeast-3.amazonaws.com');
  assert.equal(config.storage.forcePathStyle, false);
  assert.equal(config.storage.accessKey, undefined);
  const keyed = loadConfig({ S3_BACKUP_BUCKET: 'g-b', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'shh', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:9000' }).storage;
  assert.deepEqual([keyed.accessKey, keyed.secretKey, keyed.endpoint, keyed.forcePathStyle], ['AKIA', 'shh', 'http://s3:9000', true]);
  refused({ S3_BACKUP_BUCKET: 'g-b', AWS_ACCESS_KEY_ID: 'AKIA' }, 'AWS_ACCESS_KEY_ID', 'MINIO_SECRET_KEY');
  assert.equal(loadConfig({ RESTORE_FROM_S3_ON_STARTUP: 'true' }).backup.restoreEmptyOnStart, true);
  assert.equal(loadConfig({ RESTORE_FROM_S3_ON_STARTUP: 'false' }).backup.restoreEmptyOnStart, false);
  assert.equal(loadConfig({}).backup.restoreEmptyOnStart, false);
  refused({ RESTORE_FROM_S3_ON_STARTUP: 'true', CAIRN_RESTORE_EMPTY_ON_START: 'false' }, 'CAIRN_RESTORE_EMPTY_ON_START', 'RESTORE_FROM_S3_ON_STARTUP', 'disagree');
  refused({ RESTORE_FROM_S3_ON_STARTUP: 'maybe' }, 'RESTORE_FROM_S3_ON_STARTUP', "'maybe'");
  refused({ ENABLE_CONTINUOUS_BACKUP: 'true' }, 'ENABLE_CONTINUOUS_BACKUP', 'not supported');
  // Graphiti's hourly full backup becomes the schedule; an interval cron cannot repeat is refused, not rounded.
  assert.equal(loadConfig({ ENABLE_FULL_BACKUP: 'true', FULL_BACKUP_INTERVAL: '3600' }).backup.schedule, '0 * * * *');
  assert.equal(loadConfig({ FULL_BACKUP_INTERVAL: '900' }).backup.schedule, '*/15 * * * *');
  refused({ FULL_BACKUP_INTERVAL: '5000' }, 'FULL_BACKUP_INTERVAL', 'BACKUP_SCHEDULE');
  refused({ FULL_BACKUP_INTERVAL: '3600', BACKUP_SCHEDULE: '0 2 * * *' }, 'BACKUP_SCHEDULE', 'FULL_BACKUP_INTERVAL');
  refused({ ENABLE_FULL_BACKUP: 'false' }, 'ENABLE_FULL_BACKUP', 'full backup');
});

test('Neo4j-to-R2: R2_ACCOUNT_ID is the endpoint (region auto); R2 keys, bucket and BACKUP_PREFIX; only Neo4j is backed up', () => {
  const config = loadConfig({ R2_ACCOUNT_ID: 'abc123', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 's', R2_BUCKET_NAME: 'graphiti-neo4j-backup', BACKUP_PREFIX: 'neo4j-backup', NEO4J_HOST: 'neo4j', NEO4J_BOLT_PORT: '7687', RUN_IMMEDIATE_BACKUP: 'true' });
  assert.deepEqual(config.targets.map((t) => t.type), ['neo4j']);
  assert.deepEqual([config.storage.endpoint, config.storage.region, config.storage.bucket, config.storage.prefix], ['https://abc123.r2.cloudflarestorage.com', 'auto', 'graphiti-neo4j-backup', 'neo4j-backup/']);
  assert.equal(config.backup.runOnStart, true);
  refused({ R2_ACCOUNT_ID: 'abc/../x' }, 'R2_ACCOUNT_ID');
  refused({ R2_ACCOUNT_ID: 'abc', MINIO_ENDPOINT: 'http://minio:9000' }, 'MINIO_ENDPOINT', 'R2_ACCOUNT_ID');
  refused({ BACKUP_COMPRESSION: 'false' }, 'BACKUP_COMPRESSION');
  for (const bad of ['../up', '/abs', 'a/../b', 'a//b', 'sp ace']) refused({ BACKUP_PREFIX: bad }, 'BACKUP_PREFIX');
  assert.equal(loadConfig({ BACKUP_PREFIX: 'team/a.b/' }).storage.prefix, 'team/a.b/');
});

test('Clara: every *_DATABASE_URL is a PostgreSQL target, and backup_history lives in the first', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://clara:p%40ss%2Fword@db.internal:6543/clara_main', MEM0_DATABASE_URL: 'postgres://mem:x@db2/clara_vectors',
    S3_BUCKET: 'clara-backups', S3_ENDPOINT_URL: 'https://s3.wasabisys.com', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b', RESPAWN_PROTECTION_HOURS: '12',
  });
  assert.deepEqual(config.targets, [
    { type: 'postgres', name: 'clara_main', host: 'db.internal', port: 6543, user: 'clara', password: 'p@ss/word', database: 'clara_main' },
    { type: 'postgres', name: 'mem0', host: 'db2', port: 5432, user: 'mem', password: 'x', database: 'clara_vectors' },
  ]);
  assert.deepEqual(config.metadata, { host: 'db.internal', port: 6543, user: 'clara', password: 'p@ss/word', database: 'clara_main' });
  assert.deepEqual([config.storage.endpoint, config.storage.bucket, config.backup.runOnStart, config.backup.respawnProtectionHours], ['https://s3.wasabisys.com', 'clara-backups', true, 12]);
  const msg = refused({ DATABASE_URL: 'mysql://u:topsecret@h/db' }, 'DATABASE_URL', 'postgresql://');
  assert.doesNotMatch(msg, /topsecret/);
  refused({ DATABASE_URL: 'postgresql://u:p@h/db?sslmode=require' }, 'DATABASE_URL', 'sslmode');
  refused({ CAIRN_CONFIG: file('t.yaml', 'targets:\n  - { type: qdrant, name: q }\n'), DATABASE_URL: 'postgresql://u:p@h/db' }, 'DATABASE_URL', 'targets:');
});

test('agentic platform: DB_* with the user and password from Docker secret files; BACKUP_DIR or an empty S3_BUCKET keep backups in a directory', () => {
  const env = { DB_HOST: 'postgres', DB_PORT: '5433', DB_NAME: 'agentic_db', DB_USER_FILE: file('db_user', 'agent\n'), DB_PASSWORD_FILE: file('db_password', 'pw\n'), S3_BUCKET: 'agentic-platform-backups', AWS_REGION: 'eu-west-1' };
  const config = loadConfig(env);
  assert.deepEqual(config.targets, [{ type: 'postgres', name: 'agentic_db', host: 'postgres', port: 5433, user: 'agent', password: 'pw', database: 'agentic_db' }]);
  assert.deepEqual([config.storage.endpoint, config.storage.accessKey, config.backup.runOnStart], ['https://s3.eu-west-1.amazonaws.com', undefined, true]);
  assert.equal(loadConfig({ ...env, S3_BUCKET: undefined, BACKUP_S3_BUCKET: 'b-s3' }).storage.bucket, 'b-s3');
  assert.equal(config.storage.directory, undefined, 'a bucket and no BACKUP_DIR: the bucket');
  assert.equal(loadConfig({ ...env, S3_BUCKET: '' }).storage.directory, '/backups', 'an empty S3_BUCKET meant local only, in /backups');
  assert.equal(loadConfig({ ...env, S3_BUCKET: '', BACKUP_DIR: '/srv/backups' }).storage.directory, '/srv/backups');
  assert.equal(loadConfig({ ...env, S3_BUCKET: undefined, BACKUP_DIR: '/srv/backups' }).storage.directory, '/srv/backups');
  refused({ ...env, BACKUP_DIR: '/backups' }, 'BACKUP_DIR', 'S3_BUCKET', 'one store');
  refused({ ...env, S3_BUCKET: '', BACKUP_DIR: 'backups' }, 'BACKUP_DIR', 'absolute');
  refused({ ...env, DB_USER_FILE: path.join(scratch, 'absent') }, 'DB_USER_FILE', 'absent');
  refused({ ...env, POSTGRES_USER: 'someone-else' }, 'POSTGRES_USER', 'DB_USER_FILE');
});

test('backup ids with underscore target names parse unambiguously and keys cannot leave their prefix', () => {
  const at = new Date(Date.UTC(2026, 10, 21, 2, 0, 0));
  const id = backupIdFor('postgres', 'ai_platform_2', at);
  assert.equal(id, 'postgres_ai_platform_2_20261121_020000');
  assert.deepEqual(parseBackupId(id), { type: 'postgres', target: 'ai_platform_2', at });
  assert.equal(backupPrefix(id), 'postgres/ai_platform_2/2026/11/21/postgres_ai_platform_2_20261121_020000');
  for (const bad of ['../x', 'a/b', 'a.b', '']) assert.throws(() => backupIdFor('neo4j', bad, at));
  assert.equal(parseBackupId('postgres_../x_20261121_020000'), undefined);
});

test('cairn config show masks every secret and names where each setting came from', () => {
  const rows = showConfig(loadConfigWithSources({
    DATABASE_URL: 'postgresql://clara:hunter2@db/clara_main', S3_BUCKET: 'clara-backups', S3_ACCESS_KEY: 'AKIAEXAMPLE', S3_SECRET_KEY: 'wJalrXUtn',
    MINIO_ENDPOINT: 'minio:9000', MINIO_SECURE: 'true', QDRANT_API_KEY: 'qk-secret',
  }));
  const text = JSON.stringify(rows);
  for (const secret of ['hunter2', 'AKIAEXAMPLE', 'wJalrXUtn', 'qk-secret']) assert.ok(!text.includes(secret), `${secret} is masked`);
  const from = (setting: string) => rows.find((r) => r.setting === setting)?.from;
  assert.equal(from('storage.bucket'), 'S3_BUCKET');
  assert.equal(from('storage.secret_key'), 'S3_SECRET_KEY');
  assert.equal(from('storage.endpoint'), 'MINIO_ENDPOINT + MINIO_SECURE');
  assert.equal(from('targets[0].host'), 'DATABASE_URL');
  assert.equal(from('metadata.database'), 'DATABASE_URL');
  assert.equal(from('backup.retention_days'), 'default');
  const pwFile = showConfig(loadConfigWithSources({ POSTGRES_PASSWORD_FILE: file('pg', 'x\n'), CAIRN_TARGET_TYPES: 'postgres' }));
  assert.equal(pwFile.find((r) => r.setting === 'targets[0].password')?.from, 'POSTGRES_PASSWORD_FILE');
});
