/**
 * Each deployment Cairn replaces, run as a real worker with that deployment's own environment (pointed at the
 * local stack, values in the documented shapes): a backup cycle succeeds against the servers its variables
 * name, and a conflicting or unhonourable variable stops start-up naming it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/connection';
import { Catalog } from '../catalog/catalog';
import { rebuildCatalog } from '../catalog/rebuild';
import { ObjectStore } from '../storage/s3';
import type { BackupCycleResult } from '../workflows/inputs';
import { readManifest, runCycle } from './support/cycle';
import { Deployment, suffix } from './support/deployment';
import { startStandin } from './qdrant-standin/server';

const MINIO = `127.0.0.1:${process.env.MINIO_PORT ?? 9000}`;
const PG = { host: 'localhost', port: process.env.POSTGRES_PORT ?? '5432', user: process.env.POSTGRES_USER ?? 'cairn', password: process.env.POSTGRES_PASSWORD ?? 'cairn' };
const NEO4J = { user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? 'cairn-neo4j', port: process.env.NEO4J_BOLT_PORT ?? '7687' };
const S3_KEYS = { access: process.env.MINIO_ACCESS_KEY ?? 'cairn', secret: process.env.MINIO_SECRET_KEY ?? 'cairn-secret' };

const deployments: Deployment[] = [];
let client: Client | undefined;
after(async () => {
  for (const d of deployments) await d.close();
  await client?.connection.close();
});

function deployment(label: string): Deployment {
  const d = new Deployment(label);
  deployments.push(d);
  return d;
}

async function temporal(d: Deployment): Promise<Client> {
  client ??= await connectClient(d.config.temporal);
  return client;
}

function assertAllSucceeded(results: BackupCycleResult['results'], expected: string[]): void {
  assert.deepEqual(results.map((r) => `${r.target}:${r.status}${r.error ? ` (${r.error})` : ''}`).sort(), expected.map((t) => `${t}:success`).sort());
}

/** Start-up fails, naming each of `names` on stderr. */
async function refusedNaming(d: Deployment, extra: Record<string, string>, ...names: string[]): Promise<void> {
  const w = d.start(extra);
  await assert.rejects(w.ready, (err: Error) => {
    for (const n of names) assert.ok(err.message.includes(n), `start-up error names ${n}:\n${err.message}`);
    return true;
  });
}

test('AI platform: MINIO_ENDPOINT host:port, QDRANT_HOST/PORT, NEO4J_HOST/PORT and POSTGRES_DB=ai_platform_* are backed up as named', { timeout: 300_000 }, async () => {
  const qdrant = await startStandin({ port: 0 });
  try {
    const collection = `ai_docs_${suffix()}`;
    await fetch(`${qdrant.url}/collections/${collection}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vectors: { size: 2, distance: 'Dot' } }) });
    const d = deployment('ai-platform');
    const db = await d.database(`ai_platform_${suffix()}`, 40);
    Object.assign(d.env, {
      MINIO_ENDPOINT: MINIO, MINIO_ACCESS_KEY: S3_KEYS.access, MINIO_SECRET_KEY: S3_KEYS.secret, BACKUP_BUCKET: `ai-backups-${suffix()}`,
      QDRANT_HOST: 'localhost', QDRANT_PORT: String(qdrant.port),
      NEO4J_HOST: 'localhost', NEO4J_PORT: NEO4J.port, NEO4J_USER: NEO4J.user, NEO4J_PASSWORD: NEO4J.password,
      POSTGRES_HOST: PG.host, POSTGRES_PORT: PG.port, POSTGRES_DB: db, POSTGRES_USER: PG.user, POSTGRES_PASSWORD: PG.password,
      BACKUP_SCHEDULE: '0 2 * * *', BACKUP_RETENTION_DAYS: '30',
    });
    // The Qdrant stand-in listens on its own port: only QDRANT_HOST/QDRANT_PORT lead there.
    assert.deepEqual(d.config.targets.map((t) => `${t.type}/${t.name}`), [`postgres/${db}`, 'neo4j/neo4j', 'qdrant/qdrant']);
    await d.start().ready;
    const run = await runCycle(await temporal(d), d.config);
    assertAllSucceeded(run.results, [db, 'neo4j', 'qdrant']);
    const pg = run.results.find((r) => r.target === db)!;
    assert.match(pg.backupId!, new RegExp(`^postgres_${db}_\\d{8}_\\d{6}$`));
    assert.equal((await readManifest(d.config, pg.manifestKey!)).counts.tables!['public.notes'], 40);
    const qd = await readManifest(d.config, run.results.find((r) => r.target === 'qdrant')!.manifestKey!);
    assert.ok(Object.keys(qd.counts.points ?? {}).includes(collection), 'the collection on QDRANT_HOST:QDRANT_PORT was backed up');

    await refusedNaming(d, { QDRANT_URL: 'http://qdrant.internal:6333' }, 'QDRANT_URL', 'QDRANT_HOST');
    await refusedNaming(d, { NEO4J_BOLT_PORT: '7699' }, 'NEO4J_PORT', 'NEO4J_BOLT_PORT');
  } finally {
    await qdrant.close();
  }
});

test('Graphiti: S3_BACKUP_BUCKET and AWS_REGION with no keys use the AWS default credential chain (a profile), AWS_ENDPOINT_URL_S3 reaches the store', { timeout: 300_000 }, async () => {
  const d = deployment('graphiti');
  const db = await d.database(`graphiti_${suffix()}`, 12);
  const credentials = d.secretFile('credentials', `[default]\naws_access_key_id = ${S3_KEYS.access}\naws_secret_access_key = ${S3_KEYS.secret}`);
  Object.assign(d.env, {
    S3_BACKUP_BUCKET: `graphiti-backups-${suffix()}`, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: `http://${MINIO}`,
    AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: credentials, AWS_EC2_METADATA_DISABLED: 'true',
    NEO4J_URI: `bolt://localhost:${NEO4J.port}`, NEO4J_USER: NEO4J.user, NEO4J_PASSWORD: NEO4J.password,
    POSTGRES_HOST: PG.host, POSTGRES_PORT: PG.port, POSTGRES_DB: db, POSTGRES_USER: PG.user, POSTGRES_PASSWORD: PG.password,
    RESTORE_FROM_S3_ON_STARTUP: 'false',
  });
  assert.equal(d.config.storage.accessKey, undefined, 'no keys are configured: the SDK finds them');
  assert.deepEqual(d.config.targets.map((t) => t.type), ['postgres', 'neo4j'], 'Graphiti backs up Neo4j and PostgreSQL');
  await d.start().ready;
  const run = await runCycle(await temporal(d), d.config);
  assertAllSucceeded(run.results, [db, 'neo4j']);
  assert.ok((await d.bucketKeys()).some((k) => k.startsWith(`postgres/${db}/`)));

  await refusedNaming(d, { RESTORE_FROM_S3_ON_STARTUP: 'maybe' }, 'RESTORE_FROM_S3_ON_STARTUP', "'maybe'");
  await refusedNaming(d, { BACKUP_BUCKET: 'other-bucket' }, 'BACKUP_BUCKET', 'S3_BACKUP_BUCKET');
});

test('Neo4j-to-R2: R2_* keys and bucket, NEO4J_HOST/NEO4J_BOLT_PORT, BACKUP_PREFIX honoured by backups, listing and catalog rebuild', { timeout: 300_000 }, async () => {
  const d = deployment('neo4j-r2');
  const prefix = `neo4j-backup-${suffix()}`;
  Object.assign(d.env, {
    NEO4J_HOST: 'localhost', NEO4J_BOLT_PORT: NEO4J.port, NEO4J_USER: NEO4J.user, NEO4J_PASSWORD: NEO4J.password, NEO4J_DATABASE: 'neo4j',
    R2_ACCESS_KEY_ID: S3_KEYS.access, R2_SECRET_ACCESS_KEY: S3_KEYS.secret, R2_BUCKET_NAME: `graphiti-neo4j-backup-${suffix()}`,
    BACKUP_SCHEDULE: '0 2 * * *', BACKUP_RETENTION_DAYS: '7', BACKUP_COMPRESSION: 'true', BACKUP_PREFIX: prefix,
    RUN_IMMEDIATE_BACKUP: 'true',
    // R2 itself is not reachable from here: the SDK's endpoint variable points the same settings at MinIO.
    AWS_ENDPOINT_URL_S3: `http://${MINIO}`,
    // The shared catalog already holds other tests' 'neo4j' backups, which respawn protection would count.
    NEO4J_NAME: `r2_neo4j_${suffix()}`,
  });
  const name = d.config.targets[0]!.name;
  assert.deepEqual(d.config.targets.map((t) => t.type), ['neo4j'], 'the R2 service backs up Neo4j only');
  const first = d.start();
  await first.ready;
  assertAllSucceeded((await d.startupCycle(await temporal(d))).results, [name]);
  await first.kill('SIGTERM');

  // A key the store refuses is reported in this deployment's words, not Cairn's MINIO_* names.
  const refused = d.start({ R2_SECRET_ACCESS_KEY: 'not-the-secret-key', FORCE_BACKUP: 'true' });
  await refused.ready;
  await assert.rejects(d.startupCycle(await temporal(d)), (err: Error) => {
    const messages: string[] = [];
    for (let e: Error | undefined = err; e; e = e.cause as Error | undefined) messages.push(e.message);
    assert.match(messages.join(' <- '), /check R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY, and R2_BUCKET_NAME/);
    return true;
  });
  await refused.kill('SIGTERM');

  const keys = await d.bucketKeys();
  assert.ok(keys.length >= 3, `manifest, export and sidecar are in the bucket: ${keys.join(', ')}`);
  assert.deepEqual(keys.filter((k) => !k.startsWith(`${prefix}/`)), [], 'every object is under BACKUP_PREFIX');
  assert.deepEqual(keys.filter((k) => !k.startsWith(`${prefix}/neo4j/${name}/`) && !k.startsWith(`${prefix}/sets/`)), [], 'the backup under its target, the cycle\'s backup set under sets/');
  assert.ok(keys.some((k) => k.endsWith('.ndjson.gz')));

  const store = new ObjectStore(d.config.storage);
  const catalog = new Catalog(d.config.metadata);
  try {
    assert.equal((await store.list('')).length, keys.length, 'listing sees the prefixed objects, by keys relative to the prefix');
    assert.equal((await rebuildCatalog(store, catalog)).manifests, 1, 'catalog rebuild finds the manifest under the prefix');
  } finally {
    store.destroy();
    await catalog.close();
  }
  await refusedNaming(d, { BACKUP_COMPRESSION: 'false' }, 'BACKUP_COMPRESSION');
  await refusedNaming(d, { R2_ACCOUNT_ID: '0123abcd' }, 'AWS_ENDPOINT_URL_S3', 'R2_ACCOUNT_ID');
  await refusedNaming(d, { BACKUP_PREFIX: '../escape' }, 'BACKUP_PREFIX');
});

test('Clara: DATABASE_URL and MEM0_DATABASE_URL become targets, S3_* reach the store, and the service backs up at start-up', { timeout: 300_000 }, async () => {
  const d = deployment('clara');
  const main = await d.database(`clara_main_${suffix()}`, 25);
  const vectors = await d.database(`clara_vectors_${suffix()}`, 7);
  const url = (db: string) => `postgresql://${PG.user}:${encodeURIComponent(PG.password)}@${PG.host}:${PG.port}/${db}`;
  Object.assign(d.env, {
    DATABASE_URL: url(main), MEM0_DATABASE_URL: url(vectors),
    S3_BUCKET: `clara-backups-${suffix()}`, S3_ENDPOINT_URL: `http://${MINIO}`, S3_ACCESS_KEY: S3_KEYS.access, S3_SECRET_KEY: S3_KEYS.secret, S3_REGION: 'us-east-1',
    BACKUP_RETENTION_DAYS: '7', RESPAWN_PROTECTION_HOURS: '23', FORCE_BACKUP: 'false',
  });
  assert.deepEqual(d.config.targets.map((t) => t.name), [main, 'mem0']);
  await d.start().ready;
  const cycle = await d.startupCycle(await temporal(d));
  assertAllSucceeded(cycle.results, [main, 'mem0']);
  const mem0 = cycle.results.find((r) => r.target === 'mem0')!;
  assert.equal((await readManifest(d.config, mem0.manifestKey!)).counts.tables!['public.notes'], 7, 'mem0 is the MEM0_DATABASE_URL database');

  await refusedNaming(d, { MINIO_ENDPOINT: 'http://elsewhere:9000' }, 'MINIO_ENDPOINT', 'S3_ENDPOINT_URL');
  await refusedNaming(d, { DATABASE_URL: `${url(main)}?sslmode=require` }, 'DATABASE_URL', 'sslmode');
});

test('agentic platform: DB_* with Docker-secret files and S3_BUCKET are backed up at start-up; an empty S3_BUCKET backs up to BACKUP_DIR', { timeout: 300_000 }, async () => {
  const d = deployment('agentic');
  const db = await d.database(`agentic_db_${suffix()}`, 9);
  Object.assign(d.env, {
    DB_HOST: PG.host, DB_PORT: PG.port, DB_NAME: db,
    DB_USER_FILE: d.secretFile('db_user', PG.user), DB_PASSWORD_FILE: d.secretFile('db_password', PG.password),
    S3_BUCKET: `agentic-platform-backups-${suffix()}`, AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3_KEYS.access, AWS_SECRET_ACCESS_KEY: S3_KEYS.secret, AWS_ENDPOINT_URL_S3: `http://${MINIO}`,
    BACKUP_SCHEDULE: '0 2 * * *', BACKUP_RETENTION_DAYS: '30',
  });
  assert.deepEqual(d.config.targets.map((t) => `${t.type}/${t.name}`), [`postgres/${db}`]);
  const toS3 = d.start();
  await toS3.ready;
  assertAllSucceeded((await d.startupCycle(await temporal(d))).results, [db]);
  const keys = await d.bucketKeys();
  assert.ok(keys.some((k) => k.startsWith(`postgres/${db}/`) && k.endsWith('.dump.sha256')), 'the SHA-256 sidecar sits beside the dump');

  await refusedNaming(d, { BACKUP_DIR: '/backups' }, 'BACKUP_DIR', 'S3_BUCKET', 'one store');

  // Local only, as the agentic platform's development setting had it: S3_BUCKET="" and the backups in BACKUP_DIR.
  await toS3.kill('SIGTERM');
  const dir = path.join(d.secretFile('placeholder', ''), '..', 'backups');
  await d.start({ S3_BUCKET: '', BACKUP_DIR: dir, FORCE_BACKUP: 'true' }).ready;
  const local = await d.startupCycle(await temporal(d));
  assertAllSucceeded(local.results, [db]);
  const files = readdirSync(dir, { recursive: true }).map(String);
  assert.ok(files.includes(local.results[0]!.manifestKey!), `the manifest is a file in BACKUP_DIR (${files.join(', ')})`);
  assert.ok(files.some((f) => f.startsWith(`postgres/${db}/`) && f.endsWith('.dump')));
  await refusedNaming(d, { POSTGRES_DB: 'agentic' }, 'POSTGRES_DB', 'DB_NAME');
});
