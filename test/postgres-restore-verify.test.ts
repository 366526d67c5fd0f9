/**
 * A PostgreSQL restore asked to verify the backup itself (RestoreOptions.verify, what restoreBackup does now):
 * with room in TMPDIR it verifies the copy it spools (one read of the store) and restores from it; without room
 * it verifies by a full read first and streams; a backup failing its structural check is refused before any
 * database exists; the spool is gone after success and failure. zstd artifacts (decompressed by a zstd child)
 * and pg_dump's own gzip, single and parallel jobs, and the jobs Cairn chooses when none are given.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { PostgresTarget } from '../config/types';
import { Readable } from 'node:stream';
import type { ReadContext, VerifiedBackup } from '../engines/engine';
import { postgresEngine } from '../engines/postgres';
import type { Manifest } from '../storage/format/manifest';
import type { FileArtifacts } from './support/file-artifacts';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { adminTarget, fingerprint, query } from './support/pg';
import { backUp, databasesLike, restoreDestination } from './support/pg-restore';

const PREFIX = `pg-rv-${randomUUID().slice(0, 6)}`;
const source: PostgresTarget = { ...adminTarget(), name: PREFIX, database: PREFIX };
const backups: Record<'zstd' | 'gzip', { files: FileArtifacts; manifest: Manifest }> = {} as never;
let expected: Record<string, string>;
let seq = 0;
const stamp = () => `20261121_11${String(seq++).padStart(4, '0')}`;
let spool: string;
const previousTmp = process.env.TMPDIR;

before(async () => {
  await query(adminTarget(), `CREATE DATABASE "${PREFIX}" TEMPLATE template0`);
  await query(source, RICH_SCHEMA_SQL);
  backups.zstd = await backUp({ ...source, compression: { method: 'zstd', level: 3 } }, 'pg-rv-zstd');
  backups.gzip = await backUp(source, 'pg-rv-gzip');
  expected = await fingerprint(source);
  spool = mkdtempSync(join(tmpdir(), 'pg-rv-spool-'));
  process.env.TMPDIR = spool;
});

after(async () => {
  if (previousTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = previousTmp;
  rmSync(spool, { recursive: true, force: true });
  for (const db of await databasesLike(PREFIX)) await query(adminTarget(), `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  for (const b of Object.values(backups)) await b?.files.cleanup();
});

/** A verify callback (the full read of the store) that records whether it ran, and whether a database existed then. */
function fullRead(dbName: string) {
  const calls: { databaseExisted: boolean }[] = [];
  const verify = async (): Promise<VerifiedBackup> => {
    calls.push({ databaseExisted: (await databasesLike(dbName)).length > 0 });
    return { checks: ['full read'], bytesRead: 1 };
  };
  return { verify, calls };
}

for (const compression of ['zstd', 'gzip'] as const) {
  for (const jobs of [1, 2]) {
    test(`${compression}, jobs=${jobs}: verified while spooling (one read), restored from the verified copy, spool removed`, async () => {
      const { files, manifest } = backups[compression];
      const dest = restoreDestination(source, manifest, stamp());
      const full = fullRead(dest.target.database);
      const outcome = await postgresEngine.restore(dest, manifest, files.read, { replace: false, jobs, verify: full.verify });
      assert.deepEqual(full.calls, [], 'no second read of the store');
      assert.deepEqual(outcome.verified?.checks, ['postgres structural check (of the bytes spooled)', `size and sha256 of ${manifest.artifacts[0]!.key}`]);
      assert.match(outcome.notes.join('\n'), /archive verified while spooling to .* \(one read of the store; deleted afterwards\); phases: verify \d+\.\d s, pg_restore \d+\.\d s, ANALYZE \d+\.\d s/);
      assert.deepEqual(readdirSync(spool), [], 'the spool is deleted');
      assert.deepEqual(await fingerprint(dest.target), expected);
      assert.deepEqual((await postgresEngine.prove(dest, manifest, outcome, files.read)).checks.filter((c) => !c.ok), []);
      await postgresEngine.drop(dest);
    });
  }
}

test('without room to spool, a single-job restore verifies by a full read first (before any database exists), then streams', async () => {
  const { files, manifest } = backups.zstd;
  // A recorded size beyond any disk: too big to spool; the local test read does not check sizes.
  const huge = { ...manifest, artifacts: manifest.artifacts.map((a) => ({ ...a, sizeBytes: 1e15 })) };
  const dest = restoreDestination(source, manifest, stamp());
  const full = fullRead(dest.target.database);
  const outcome = await postgresEngine.restore(dest, huge, files.read, { replace: false, verify: full.verify });
  assert.deepEqual(full.calls, [{ databaseExisted: false }], 'verified once, before the database was created');
  assert.deepEqual(outcome.verified?.checks, ['full read']);
  assert.match(outcome.notes.join('\n'), /has .* MiB free, too little to spool .*: verified by a full read of the store, then streamed/);
  assert.match(outcome.notes.join('\n'), /streamed in one transaction/);
  assert.deepEqual(await fingerprint(dest.target), expected);
  assert.deepEqual(readdirSync(spool), []);
  await postgresEngine.drop(dest);
});

test('without --jobs: pg_restore -j from a decompressed spool into a database Cairn creates; one transaction into an existing empty one, for a backup without a recorded size, or without room', async () => {
  const { files, manifest } = backups.zstd;
  const recorded = manifest.artifacts[0]!.meta?.archiveBytes;
  assert.ok(typeof recorded === 'number' && recorded > manifest.artifacts[0]!.sizeBytes, 'the backup recorded its archive\'s size before zstd');
  const restore = async (dest: ReturnType<typeof restoreDestination>, m: Manifest) => {
    const outcome = await postgresEngine.restore(dest, m, files.read, { replace: false, verify: fullRead(dest.target.database).verify });
    assert.deepEqual(readdirSync(spool), [], 'the spool is deleted');
    assert.deepEqual(await fingerprint(dest.target), expected);
    assert.deepEqual((await postgresEngine.prove(dest, m, outcome, files.read)).checks.filter((c) => !c.ok), []);
    // ANALYZE ran on every table (an empty one it analyzed has reltuples 0; one never analyzed, -1).
    const unanalyzed = await query(dest.target, `SELECT c.oid::regclass::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.reltuples <> 0
        AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)`);
    assert.deepEqual(unanalyzed, [], 'every table has statistics for the planner');
    return outcome.notes.join('\n');
  };
  const fresh = restoreDestination(source, manifest, stamp());
  assert.match(await restore(fresh, manifest), /created .* with pg_restore -j \d from a spool file \(deleted\) \(jobs chosen by Cairn; --jobs 1 restores in one transaction\)/);
  await postgresEngine.drop(fresh);

  const into = restoreDestination(source, manifest, stamp(), `${PREFIX}-chosen-empty`);
  await query(adminTarget(), `CREATE DATABASE "${into.target.database}" TEMPLATE template0`);
  assert.match(await restore(into, manifest), /restored into the existing empty database .* from a verified spool file \(deleted\) in one transaction/);

  const withSize = (archiveBytes?: number): Manifest => ({
    ...manifest, artifacts: manifest.artifacts.map((a) => ({ ...a, meta: { compression: a.meta?.compression, ...(archiveBytes ? { archiveBytes } : {}) } })),
  });
  for (const [why, m] of [['no recorded size', withSize()], ['no room four times over', withSize(2 ** 50)]] as const) {
    const dest = restoreDestination(source, manifest, stamp());
    assert.match(await restore(dest, m), /created .* from a verified spool file \(deleted\) in one transaction/, why);
    await postgresEngine.drop(dest);
  }
});

test('a spool left by a killed worker is removed by the next restore; a live worker\'s, or another host\'s, is not', async () => {
  const { files, manifest } = backups.zstd;
  const host = hostname();
  const orphan = join(spool, `cairn-pg-restore-${host}.4194305.1-abc123`); // above any pid_max: its owner is gone
  const live = join(spool, `cairn-pg-restore-${host}.${process.pid}.${readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]}-def456`);
  const elsewhere = join(spool, `cairn-pg-restore-${host}.example.4194305.1-ghi789`); // another host's: not ours to judge
  for (const dir of [orphan, live, elsewhere]) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'archive.dump'), 'x'.repeat(1000));
  }
  try {
    const dest = restoreDestination(source, manifest, stamp());
    await postgresEngine.restore(dest, manifest, files.read, { replace: false, verify: fullRead(dest.target.database).verify });
    assert.deepEqual(readdirSync(spool).sort(), [basename(elsewhere), basename(live)].sort(), 'the orphan is gone; the live one and another host\'s are kept');
    await postgresEngine.drop(dest);
  } finally {
    for (const dir of [live, elsewhere]) rmSync(dir, { recursive: true, force: true });
  }
});

test('a backup failing its structural check on the spooled copy is refused before any database exists; the spool is removed', async () => {
  for (const compression of ['zstd', 'gzip'] as const) {
    const { files, manifest } = backups[compression];
    const whole = await files.storedBytes(manifest.artifacts[0]!);
    // Cut at a frame boundary for zstd (a whole but short archive); gzip's is pg_dump's own, inside the archive.
    const cut = compression === 'zstd'
      ? await files.storeRaw(`cut-${compression}.dump.zst`, await zstdOf((await decompressedOf(whole)).subarray(0, 4000)), true)
      : await files.storeRaw(`cut-${compression}.dump`, whole.subarray(0, Math.floor(whole.length / 2)), false);
    const broken = { ...manifest, artifacts: [{ ...cut, sidecarKey: '', ...(compression === 'zstd' ? { encoding: 'zstd' as const } : {}) }] };
    for (const jobs of [1, 2]) {
      const dest = restoreDestination(source, manifest, stamp());
      const full = fullRead(dest.target.database);
      await assert.rejects(postgresEngine.restore(dest, broken, files.read, { replace: false, jobs, verify: full.verify }),
        (err: Error) => err.name === 'PermanentError' && err.message.includes(cut.key) && /failed its structural check/.test(err.message), `${compression} jobs=${jobs}`);
      assert.deepEqual(await databasesLike(dest.target.database), [], 'no database was created');
      assert.deepEqual(readdirSync(spool), [], 'the spool is removed after a failure too');
    }
  }
});

test('streaming: a read that fails at its very end (the SHA-256 check) is never restored, though every byte reached pg_restore', async () => {
  for (const compression of ['zstd', 'gzip'] as const) {
    const { files, manifest } = backups[compression];
    const whole = await files.storedBytes(manifest.artifacts[0]!);
    const mismatch = Object.assign(new Error('stored object does not match its manifest (test)'), { name: 'PermanentError' });
    // What a verified read does with changed bytes: every byte passes, then the stream errors instead of ending.
    const failingAtEnd: ReadContext = {
      ...files.read,
      open: () => {
        let pushed = false;
        return Promise.resolve(new Readable({
          read() {
            if (pushed) return;
            pushed = true;
            this.push(whole);
            setTimeout(() => this.destroy(mismatch), 300);
          },
        }));
      },
    };
    const huge = { ...manifest, artifacts: manifest.artifacts.map((a) => ({ ...a, sizeBytes: 1e15 })) };
    const dest = restoreDestination(source, manifest, stamp());
    await assert.rejects(postgresEngine.restore(dest, huge, failingAtEnd, { replace: false }), /does not match its manifest \(test\)/, compression);
    assert.deepEqual(await databasesLike(dest.target.database), [], `${compression}: no database is left`);
    const into = restoreDestination(source, manifest, stamp(), `${PREFIX}-empty-${compression}`);
    await query(adminTarget(), `CREATE DATABASE "${into.target.database}" TEMPLATE template0`);
    await assert.rejects(postgresEngine.restore(into, huge, failingAtEnd, { replace: false }), /does not match its manifest \(test\)/);
    assert.deepEqual(await query(into.target, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"), [],
      `${compression}: the single transaction was never committed`);
  }
});

async function decompressedOf(zst: Buffer): Promise<Buffer> {
  const { zstdDecompressSync } = await import('node:zlib');
  return zstdDecompressSync(zst);
}

async function zstdOf(bytes: Buffer): Promise<Buffer> {
  const { zstdCompressSync } = await import('node:zlib');
  return zstdCompressSync(bytes);
}
