/**
 * The same backup life on both stores, the bucket (MinIO) and a directory (BACKUP_DIR): a backup cycle, the stored
 * objects validated, a damaged object refused, a restore proven equal to the source, and backup_history rebuilt
 * from the store alone after the catalog lost its rows.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Catalog } from '../catalog/catalog';
import { rebuildCatalog } from '../catalog/rebuild';
import type { CairnConfig, PostgresTarget } from '../config/types';
import { openStore } from '../storage/open-store';
import type { BackupStore } from '../storage/store';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { readManifest, runCycle } from './support/cycle';
import { runRestore } from './support/restore';

const databases: PostgresTarget[] = [];
const directories: string[] = [];
after(async () => {
  for (const db of databases) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
  for (const d of directories) rmSync(d, { recursive: true, force: true });
});

const STORES: { kind: string; env: () => Record<string, string> }[] = [
  { kind: 'bucket', env: () => ({}) },
  {
    kind: 'directory',
    env: () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'cairn-store-'));
      directories.push(dir);
      return { BACKUP_BUCKET: '', BACKUP_DIR: path.join(dir, 'backups') };
    },
  },
];

async function bytesOf(store: BackupStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.open(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under a directory, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

for (const { kind, env } of STORES) {
  test(`${kind} store: backup, validation, a damaged object refused, restore proven equal, catalog rebuilt from the store`, { timeout: 300_000 }, async () => {
    const source = await createDatabase(`st-${kind}`);
    databases.push(source);
    await query(source, `CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2));
      INSERT INTO items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 5000) g; CREATE SEQUENCE s; SELECT setval('s', 42);`);
    const config: CairnConfig = testConfig(`st-${kind}`, { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, ...env() });
    assert.equal(Boolean(config.storage.directory), kind === 'directory');
    const store = openStore(config.storage);
    try {
      await withWorker(config, async (client) => {
        const cycle = await runCycle(client, config);
        assert.equal(cycle.failed, false, cycle.error);
        const [r] = cycle.results;
        assert.equal(r!.status, 'success');
        const manifest = await readManifest(config, r!.manifestKey!);
        const dump = manifest.artifacts[0]!;
        const keys = (await store.list(`postgres/${source.database}/`)).map((o) => o.key);
        assert.deepEqual(keys, [dump.key, `${dump.key}.sha256`, r!.manifestKey!].sort());
        assert.equal(await store.size(dump.key), dump.sizeBytes);
        if (config.storage.directory) {
          const everything = (await store.list('')).map((o) => o.key);
          assert.ok(everything.some((k) => k.startsWith('sets/')), 'the backup set is stored too');
          assert.deepEqual(filesUnder(config.storage.directory), everything, 'the directory holds exactly the objects, by their keys, and no temporary file');
        }

        const validated = await runRestore(client, config, { type: 'postgres', target: source.database, validateOnly: true });
        assert.equal(validated.failed, false, validated.error);

        const before = await fingerprint(source);
        const restored = await runRestore(client, config, { type: 'postgres', target: source.database });
        assert.equal(restored.failed, false, restored.error);
        const copy = restored.result!.targets[0]!.destination.split('/').pop()!;
        assert.deepEqual(await fingerprint({ ...source, database: copy }), before, 'the restored copy holds exactly the source content');

        // One flipped byte in the stored dump: validation names it and refuses.
        const original = await bytesOf(store, dump.key);
        const damaged = Buffer.from(original);
        damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
        await store.upload(dump.key, Readable.from([damaged]), 'application/octet-stream');
        const refused = await runRestore(client, config, { type: 'postgres', target: source.database, validateOnly: true });
        assert.equal(refused.failed, true);
        assert.match(refused.error!, new RegExp(`${dump.key.replace(/[.]/g, '\\.')}.*does not match its manifest`));
        await store.upload(dump.key, Readable.from([original]), 'application/octet-stream');

        // The catalog loses the backup's row; rebuilding from the store alone brings it back.
        const catalog = new Catalog(config.metadata);
        try {
          await catalog.pool.query('DELETE FROM backup_history WHERE backup_id = $1', [r!.backupId]);
          const report = await rebuildCatalog(store, catalog);
          assert.deepEqual(report.unreadable, []);
          const row = await catalog.get(r!.backupId!);
          assert.equal(row?.status, 'success');
          assert.equal(row?.manifest_key, r!.manifestKey);
        } finally {
          await catalog.close();
        }
      });
    } finally {
      store.destroy();
    }
  });
}
