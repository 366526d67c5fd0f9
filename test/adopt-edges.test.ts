/**
 * `cairn adopt` beyond the main round trip (test/adopt.test.ts): a Cypher script that fails halfway leaves its
 * destination empty, and the agentic platform's local BACKUP_DIR is adopted in place and restores.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AdoptReport } from '../adopt/run';
import { Catalog } from '../catalog/catalog';
import { loadConfig } from '../config/load';
import type { PostgresTarget } from '../config/types';
import { openStore } from '../storage/open-store';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { cypher, drillTarget } from './support/neo4j-graph';
import { withWorker } from './support/stack';
import { runRestore } from './support/restore';
import { cli, pgDump, put, sha256, stamp } from './support/legacy-archives';

const suffix = randomUUID().slice(0, 8);
const created: PostgresTarget[] = [];
const adoptedIds: string[] = [];

after(async () => {
  for (const db of created) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
  const catalog = new Catalog(loadConfig().metadata);
  await catalog.pool.query('DELETE FROM backup_history WHERE backup_id = ANY($1)', [adoptedIds]);
  await catalog.close();
});

test('a Cypher script that fails halfway leaves the destination empty, and the restore says which statement failed', { timeout: 300_000 }, async () => {
  const label = `AdoptBad_${suffix}`;
  const env: Record<string, string> = {
    TEMPORAL_TASK_QUEUE: `test-adopt-bad-${suffix}`, BACKUP_BUCKET: `test-adopt-bad-${suffix}`, CAIRN_TARGET_TYPES: 'neo4j', NEO4J_NAME: `adopt-bad-${suffix}`,
  };
  const config = loadConfig({ ...process.env, ...env });
  const store = openStore(config.storage);
  await store.ensureBucket();
  try {
    // Statements that parse as a script but fail on the server (an unknown function) after some writes.
    const script = `CREATE (n:${label} {i: 1});\nCREATE (n:${label} {i: 2});\nMATCH (n:${label}) RETURN cairnNoSuchFunction(n);\n`;
    await put(store, `neo4j_${stamp().dashed}.cypher.gz`, gzipSync(Buffer.from(script)));
    const done = JSON.parse((await cli(env, ['adopt', '--json'])).out) as AdoptReport;
    assert.equal(done.adopted.length, 1);
    adoptedIds.push(done.adopted[0]!.backupId);
    await withWorker(config, async (client) => {
      let run = await runRestore(client, config, { type: 'neo4j', backupId: done.adopted[0]!.backupId, force: true });
      for (let i = 0; i < 60 && run.failed && /another restore into .* is running/.test(run.error ?? ''); i++) {
        await new Promise((r) => setTimeout(r, 5000));
        run = await runRestore(client, config, { type: 'neo4j', backupId: done.adopted[0]!.backupId, force: true });
      }
      assert.equal(run.failed, true);
      assert.match(run.error!, /Cypher script .* failed: .*cairnNoSuchFunction/);
      assert.deepEqual(await cypher(drillTarget, `MATCH (n:${label}) RETURN n`), [], 'nothing of the half-run script is left');
    });
  } finally {
    store.destroy();
  }
});

test('the agentic platform\'s local BACKUP_DIR: its dumps and sidecars are adopted in place and restore equal to the source', { timeout: 300_000 }, async () => {
  const db = await createDatabase('adopt-dir');
  created.push(db);
  await query(db, 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 2000) g;');
  const dir = mkdtempSync(join(tmpdir(), 'adopt-dir-'));
  try {
    const env: Record<string, string> = {
      TEMPORAL_TASK_QUEUE: `test-adopt-dir-${suffix}`, BACKUP_BUCKET: '', BACKUP_DIR: dir, CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: db.database,
    };
    const config = loadConfig({ ...process.env, ...env });
    // As backup.sh left them: flat in /backups, with `sha256sum` files beside.
    const name = `backup_${db.database}_${stamp().digits}.sql.gz`;
    const gz = gzipSync(pgDump(db, []));
    writeFileSync(join(dir, name), gz);
    writeFileSync(join(dir, `${name}.sha256`), `${sha256(gz)}  ${name}\n`);
    const done = JSON.parse((await cli(env, ['adopt', '--json'])).out) as AdoptReport;
    assert.deepEqual(done.adopted.map((a) => [a.key, a.from]), [[name, 'agentic']]);
    const id = done.adopted[0]!.backupId;
    adoptedIds.push(id);
    assert.deepEqual(readdirSync(dir).sort(), [name, `${name}.sha256`, `${id}.manifest.json`].sort(), 'only the manifest was added, beside the dump');
    await withWorker(config, async (client) => {
      const run = await runRestore(client, config, { type: 'postgres', backupId: id, into: `${db.database}_back` });
      assert.equal(run.failed, false, run.error);
      assert.deepEqual(await fingerprint({ ...db, database: `${db.database}_back` }), await fingerprint(db));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
