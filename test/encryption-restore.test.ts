/**
 * Encrypted backups through the real workflows: the bucket holds no plaintext, the age CLI opens Cairn's
 * object and Cairn restores one the CLI encrypted, a wrong or missing identity is refused before any database
 * is touched, old backups restore after a key rotation, and damaged ciphertext is refused naming the object.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../config/load';
import type { CairnConfig, PostgresTarget } from '../config/types';
import { generateIdentity, recipientFingerprint } from '../crypto/age';
import { ObjectStore } from '../storage/s3';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { readManifest, runCycle } from './support/cycle';
import { runRestore } from './support/restore';
import { age, ageKeygen, ageWithPassphrase } from './support/age-cli';

const created: PostgresTarget[] = [];
after(async () => {
  for (const db of created) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
});

const restoredCopies = async (db: PostgresTarget) =>
  (await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}\\_restore\\_%`])).map((r) => r.datname);

/** Another worker's config on the same task queue and bucket, e.g. one holding other keys. */
const sameStack = (config: CairnConfig, database: string, keys: Record<string, string>) => loadConfig({
  ...process.env, CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: database,
  TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket, ...keys,
});

/** `zstd -dc`, as an operator opens a decrypted .dump.zst by hand. */
function unzstd(compressed: Buffer): Buffer {
  const r = spawnSync('zstd', ['-dcq'], { input: compressed, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

async function getObject(store: ObjectStore, key: string): Promise<Buffer> {
  const res = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

test('encrypted backups: no plaintext in the bucket, age CLI interop, identity checked first, key rotation, damage refused', { timeout: 600_000 }, async () => {
  const marker = `cairn_marker_${randomBytes(6).toString('hex')}`;
  const source = await createDatabase('enc-pg');
  created.push(source);
  await query(source, `CREATE TABLE ${marker} (note text); INSERT INTO ${marker} SELECT '${marker}-row-' || g FROM generate_series(1, 5000) g`);
  const before = await fingerprint(source);
  const old = ageKeygen();
  const rotated = generateIdentity();
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-enc-'));
  writeFileSync(path.join(dir, 'old'), `${old.identity}\n`);
  writeFileSync(path.join(dir, 'rotated'), `# after the rotation\n${rotated.identity}\n`);

  // The backup worker holds the old recipient only: nothing on it can read a backup.
  const backupOnly = testConfig('enc-pg', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, BACKUP_ENCRYPTION_RECIPIENTS: old.recipient });
  const store = new ObjectStore(backupOnly.storage);
  let first!: Awaited<ReturnType<typeof readManifest>>;
  await withWorker(backupOnly, async (client) => {
    const cycle = await runCycle(client, backupOnly);
    assert.equal(cycle.failed, false, cycle.error);
    first = await readManifest(backupOnly, cycle.results[0]!.manifestKey!);
    const [dump] = first.artifacts;
    assert.match(dump!.key, /\.dump\.zst\.age$/, 'the default compression (zstd), then encryption');
    assert.deepEqual(dump!.encryption, { format: 'age-v1', recipients: [recipientFingerprint(old.recipient)] });
    assert.ok(first.validation.checks.some((c) => c.startsWith('age header of')), 'validated without a key: the age header');
    assert.ok(first.validation.checks.includes(`size and sha256 of ${dump!.key}`), 'validated without a key: the ciphertext hash');

    const raw = await getObject(store, dump!.key);
    assert.equal(createHash('sha256').update(raw).digest('hex'), dump!.sha256, 'the manifest records the ciphertext SHA-256');
    assert.equal(raw.indexOf(marker), -1, 'the stored object holds no plaintext');
    const opened = age(['-d', '-i', path.join(dir, 'old')], raw);
    assert.equal(opened.status, 0, opened.stderr);
    const archive = unzstd(opened.stdout);
    assert.equal(archive.subarray(0, 5).toString(), 'PGDMP', 'the age CLI and zstd -dc open it to a pg_dump archive');
    assert.ok(archive.includes(marker), 'the plaintext does name the table (so the search above could fail)');

    const run = await runRestore(client, backupOnly, { type: 'postgres', target: source.database });
    assert.equal(run.failed, true);
    assert.match(run.error!, /none is configured.*BACKUP_ENCRYPTION_IDENTITIES.*nothing was changed/);
  });

  const wrong = sameStack(backupOnly, source.database, { BACKUP_ENCRYPTION_IDENTITIES: rotated.identity });
  await withWorker(wrong, async (client) => {
    const run = await runRestore(client, wrong, { type: 'postgres', target: source.database });
    assert.equal(run.failed, true);
    assert.match(run.error!, new RegExp(`encrypted to ${recipientFingerprint(old.recipient)}.*match none of them`));
  });
  assert.deepEqual(await restoredCopies(source), [], 'no database was created by the refused restores');

  // After a rotation: new backups go to the new recipient; the old identity stays listed for old backups.
  const after = sameStack(backupOnly, source.database, {
    BACKUP_ENCRYPTION_RECIPIENTS: rotated.recipient, BACKUP_ENCRYPTION_IDENTITIES_FILE: path.join(dir, 'rotated'),
  });
  after.encryption.identities.push(...sameStack(backupOnly, source.database, { BACKUP_ENCRYPTION_IDENTITIES_FILE: path.join(dir, 'old') }).encryption.identities);
  await withWorker(after, async (client) => {
    const cycle = await runCycle(client, after);
    assert.equal(cycle.failed, false, cycle.error);
    const second = await readManifest(after, cycle.results[0]!.manifestKey!);
    assert.ok(second.validation.checks.includes('postgres structural check'), 'with an identity, validation reads the plaintext');

    const old1 = await runRestore(client, after, { type: 'postgres', backupId: first.backupId });
    assert.equal(old1.failed, false, old1.error);
    assert.deepEqual(old1.result!.targets[0]!.proof!.checks.filter((c) => !c.ok), []);
    const [oldCopy] = await restoredCopies(source);
    assert.deepEqual(await fingerprint({ ...source, database: oldCopy! }), before, 'the pre-rotation backup restored whole');

    // Replace the new backup's object with the same dump encrypted by the age CLI, and restore that.
    const dump = second.artifacts[0]!;
    const plain = age(['-d', '-i', path.join(dir, 'rotated')], await getObject(store, dump.key));
    assert.equal(plain.status, 0, plain.stderr);
    const fromCli = age(['-r', rotated.recipient], plain.stdout);
    assert.equal(fromCli.status, 0, fromCli.stderr);
    const put = (body: Buffer) => store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: dump.key, Body: body }));
    const manifestText = (artifact: typeof dump) => JSON.stringify({ ...second, artifacts: [artifact] });
    await put(fromCli.stdout);
    await store.putText(second.artifacts[0]!.sidecarKey, '', 'text/plain');
    await store.putText(cycle.results[0]!.manifestKey!, manifestText({ ...dump, sizeBytes: fromCli.stdout.length, sha256: createHash('sha256').update(fromCli.stdout).digest('hex') }), 'application/json');
    const cli = await runRestore(client, after, { type: 'postgres', backupId: second.backupId });
    assert.equal(cli.failed, false, cli.error);
    const cliCopy = (await restoredCopies(source)).find((d) => d !== oldCopy);
    assert.ok(cliCopy, 'a second restored database');
    assert.deepEqual(await fingerprint({ ...source, database: cliCopy }), before, 'the CLI-encrypted backup restored whole');

    // Damage: one flipped byte, or the last bytes cut off (manifest updated too, so only age itself can notice).
    const copies = (await restoredCopies(source)).length;
    const flipped = Buffer.from(fromCli.stdout);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    const cut = fromCli.stdout.subarray(0, fromCli.stdout.length - 100);
    for (const [damage, body, pattern] of [
      ['flipped byte', flipped, /does not match its manifest|does not authenticate/],
      ['truncated, manifest agreeing', cut, /cannot be decrypted: the encrypted payload was altered or cut short/],
    ] as const) {
      await put(body);
      if (body === cut) await store.putText(cycle.results[0]!.manifestKey!, manifestText({ ...dump, sizeBytes: cut.length, sha256: createHash('sha256').update(cut).digest('hex') }), 'application/json');
      const run = await runRestore(client, after, { type: 'postgres', backupId: second.backupId });
      assert.equal(run.failed, true, `${damage}: the restore must fail`);
      assert.ok(run.error!.includes(dump.key), `${damage}: the error names the object: ${run.error}`);
      assert.match(run.error!, pattern);
    }
    assert.equal((await restoredCopies(source)).length, copies, 'no database was created from damaged ciphertext');
  });
  store.destroy();
});

test('passphrase mode: the backup restores with the passphrase, the age CLI opens it with the same, and a wrong one is refused first', { timeout: 600_000 }, async () => {
  const source = await createDatabase('enc-pass');
  created.push(source);
  await query(source, 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000) g');
  const before = await fingerprint(source);
  const passphrase = `cairn ${randomBytes(8).toString('hex')}`;
  const config = testConfig('enc-pass', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, BACKUP_ENCRYPTION_PASSPHRASE: passphrase });
  const store = new ObjectStore(config.storage);
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const manifest = await readManifest(config, cycle.results[0]!.manifestKey!);
    assert.deepEqual(manifest.artifacts[0]!.encryption?.recipients, ['scrypt']);
    assert.ok(manifest.validation.checks.includes('postgres structural check'), 'the passphrase decrypts, so validation is full');

    const dir = mkdtempSync(path.join(tmpdir(), 'cairn-enc-'));
    writeFileSync(path.join(dir, 'dump.age'), await getObject(store, manifest.artifacts[0]!.key));
    assert.equal(ageWithPassphrase(['-d', '-o', path.join(dir, 'dump'), path.join(dir, 'dump.age')], passphrase, 1), 0, 'age -d with the passphrase');
    assert.equal(unzstd(readFileSync(path.join(dir, 'dump'))).subarray(0, 5).toString(), 'PGDMP');

    const run = await runRestore(client, config, { type: 'postgres', target: source.database });
    assert.equal(run.failed, false, run.error);
    const [copy] = await restoredCopies(source);
    assert.deepEqual(await fingerprint({ ...source, database: copy! }), before);
  });
  const wrong = sameStack(config, source.database, { BACKUP_ENCRYPTION_PASSPHRASE: 'not the passphrase at all' });
  await withWorker(wrong, async (client) => {
    const run = await runRestore(client, wrong, { type: 'postgres', target: source.database });
    assert.equal(run.failed, true);
    assert.match(run.error!, /cannot be decrypted: the passphrase does not open this file/);
  });
  assert.equal((await restoredCopies(source)).length, 1, 'the refused restore created no database');
  store.destroy();
});
