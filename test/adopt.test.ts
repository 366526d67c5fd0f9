/**
 * `cairn adopt` on the real stack: archives laid out exactly as each legacy deployment wrote them (pg_dump -Fc
 * in the AI platform's day folders with its backup_history row, pg_dump | gzip for Clara, the same with a
 * sha256sum sidecar for the agentic platform, a gzip Cypher script for Neo4j-to-R2, a real Qdrant snapshot and
 * a neo4j-admin dump file) are found under BACKUP_PREFIX, a dry run changes nothing, adoption records each once,
 * `cairn list` shows them, and restoreBackup restores each into a new destination equal to its source. Damaged
 * ones are reported and never adopted.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Catalog } from '../catalog/catalog';
import { BackupLocator } from '../catalog/locate';
import { loadConfig } from '../config/load';
import type { PostgresTarget } from '../config/types';
import { openStore } from '../storage/open-store';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { RICH_SCHEMA_SQL } from './support/fixtures-pg';
import { cypher, drillTarget } from './support/neo4j-graph';
import { withWorker } from './support/stack';
import { runRestore } from './support/restore';
import { CYPHER_NODES, QDRANT, cli, cypherScript, pgDump, put, qdrantSnapshot, scroll, sha256, stamp } from './support/legacy-archives';

const suffix = randomUUID().slice(0, 8);
const COLLECTION = `adopt_${suffix}`;
const created: PostgresTarget[] = [];
const legacyIds: string[] = [];
const adoptedIds: string[] = [];

after(async () => {
  for (const db of created) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
  const cols = (await (await fetch(`${QDRANT}/collections`)).json() as { result: { collections: { name: string }[] } }).result.collections;
  for (const c of cols.filter((x) => x.name.startsWith(COLLECTION))) await fetch(`${QDRANT}/collections/${c.name}`, { method: 'DELETE' });
  const catalog = new Catalog(loadConfig().metadata);
  await catalog.pool.query('DELETE FROM backup_history WHERE backup_id = ANY($1) OR legacy_id = ANY($1) OR backup_id = ANY($2)', [legacyIds, adoptedIds]);
  await catalog.close();
});

test('cairn adopt finds, verifies and records every legacy layout once; each restores equal to its source; damaged ones are refused', { timeout: 600_000 }, async () => {
  const one = await createDatabase('adopt-one');
  const two = await createDatabase('adopt-two');
  created.push(one, two);
  await query(one, RICH_SCHEMA_SQL);
  await query(two, 'CREATE TABLE notes (id serial PRIMARY KEY, body text, at timestamptz DEFAULT now()); INSERT INTO notes (body) SELECT md5(g::text) FROM generate_series(1, 3000) g;');
  const label = `Adopt_${suffix}`;
  const env: Record<string, string> = {
    TEMPORAL_TASK_QUEUE: `test-adopt-${suffix}`, BACKUP_BUCKET: `test-adopt-${suffix}`, BACKUP_PREFIX: 'legacy/',
    CAIRN_TARGET_TYPES: 'postgres,neo4j,qdrant', POSTGRES_DATABASES: `${one.database},${two.database}`,
    // Target names of this test's own: the catalog is shared, and other tests prune targets named neo4j and qdrant.
    NEO4J_NAME: `adopt-neo4j-${suffix}`, QDRANT_NAME: `adopt-qdrant-${suffix}`,
  };
  const config = loadConfig({ ...process.env, ...env });
  const store = openStore(config.storage);
  await store.ensureBucket();
  const catalog = new Catalog(config.metadata);
  await catalog.migrate();
  try {
    // The AI platform: postgres/YYYY/MM/DD/postgres_<stamp>.dump (pg_dump -Fc), its row in backup_history.
    const ai = stamp(0);
    const custom = pgDump(one, ['-Fc']);
    const aiKey = `postgres/${ai.day}/postgres_${ai.digits}.dump`;
    await put(store, aiKey, custom);
    legacyIds.push(`postgres_${ai.digits}`, `neo4j_${ai.digits}`, `qdrant_${ai.digits}`);
    await catalog.pool.query(`INSERT INTO backup_history (backup_id, backup_type, timestamp, size_bytes, checksum, status) VALUES ($1, 'postgres', $2, $3, $4, 'success')`,
      [`postgres_${ai.digits}`, ai.at, custom.length, sha256(custom)]);
    // Its neo4j-admin dump (bytes only the DBMS can check) and a real Qdrant collection snapshot, both with their rows.
    const adminDump = Buffer.from(`neo4j-admin dump stand-in ${suffix}`);
    await put(store, `neo4j/${ai.day}/neo4j_${ai.digits}.dump`, adminDump);
    const snap = await qdrantSnapshot(COLLECTION);
    await put(store, `qdrant/${ai.day}/qdrant_${ai.digits}.snapshot`, snap.bytes);
    for (const [type, bytes] of [['neo4j', adminDump], ['qdrant', snap.bytes]] as const) {
      await catalog.pool.query(`INSERT INTO backup_history (backup_id, backup_type, timestamp, size_bytes, checksum, status) VALUES ($1, $2, $3, $4, $5, 'success')`,
        [`${type}_${ai.digits}`, type, ai.at, bytes.length, sha256(bytes)]);
    }

    // Clara: backups/<db>/<db>_<stamp>.sql.gz, plain SQL through gzip; and one cut short.
    const clara = stamp(200);
    const plainOne = pgDump(one, []);
    await put(store, `backups/${one.database}/${one.database}_${clara.digits}.sql.gz`, gzipSync(plainOne));
    const cut = stamp(100);
    const whole = gzipSync(plainOne);
    await put(store, `backups/${one.database}/${one.database}_${cut.digits}.sql.gz`, whole.subarray(0, Math.floor(whole.length / 2)));

    // The agentic platform: backups/backup_<db>_<stamp>.sql.gz with its sha256sum sidecar; and one whose sidecar disagrees.
    const ag = stamp(300);
    const agz = gzipSync(pgDump(two, []));
    const agName = `backup_${two.database}_${ag.digits}.sql.gz`;
    await put(store, `backups/${agName}`, agz);
    await put(store, `backups/${agName}.sha256`, Buffer.from(`${sha256(agz)}  ${agName}\n`));
    const bad = stamp(250);
    const badName = `backup_${two.database}_${bad.digits}.sql.gz`;
    await put(store, `backups/${badName}`, agz);
    await put(store, `backups/${badName}.sha256`, Buffer.from(`${sha256(Buffer.from('other'))}  ${badName}\n`));

    // Neo4j-to-R2: neo4j-backup/neo4j_YYYY-MM-DD_HH-MM-SS.cypher.gz.
    const r2 = stamp(150);
    const cypherKey = `neo4j-backup/neo4j_${r2.dashed}.cypher.gz`;
    await put(store, cypherKey, gzipSync(Buffer.from(cypherScript(label))));

    const before = (await store.list('')).map((o) => o.key).sort();
    const rowsOf = async () => (await catalog.pool.query('SELECT backup_id, legacy_id, origin FROM backup_history WHERE target = ANY($1) OR backup_id = ANY($2) ORDER BY backup_id',
      [[one.database, two.database, env.NEO4J_NAME, env.QDRANT_NAME], legacyIds])).rows;
    const rowsBefore = await rowsOf();

    // A dry run: says what it would adopt and reject, and why; writes nothing.
    const dry = await cli(env, ['adopt', '--dry-run', '--json', '--map', `postgres=${one.database}`, '--collection', COLLECTION]);
    assert.equal(dry.code, 1, 'rejections make the exit status 1');
    const plan = JSON.parse(dry.out) as import('../adopt/run').AdoptReport;
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.adopted.map((a) => a.from).sort(), ['agentic', 'ai-platform', 'ai-platform', 'ai-platform', 'clara', 'neo4j-r2']);
    assert.deepEqual(plan.rejected.map((r) => r.key).sort(), [`backups/${badName}`, `backups/${one.database}/${one.database}_${cut.digits}.sql.gz`].sort());
    assert.match(plan.rejected.find((r) => r.key.includes(badName))!.reason, /SHA-256 .* but backups\/.*\.sha256 records/);
    assert.match(plan.rejected.find((r) => r.key.includes(cut.digits))!.reason, /gzip|unexpected end/i);
    assert.deepEqual((await store.list('')).map((o) => o.key).sort(), before, 'a dry run writes no object');
    assert.deepEqual(await rowsOf(), rowsBefore, 'a dry run writes no row');

    // A --map no archive needs is refused before anything is read or written.
    const stray = await cli(env, ['adopt', '--map', 'nosuchdb=x']);
    assert.equal(stray.code, 2);
    assert.match(stray.err, /--map nosuchdb: no archive in the store is named so .*nothing was adopted/);

    // Without --map, the AI platform's postgres dump cannot say which of two postgres targets it belongs to.
    const unmapped = JSON.parse((await cli(env, ['adopt', '--dry-run', '--json', '--collection', COLLECTION])).out) as typeof plan;
    assert.match(unmapped.rejected.find((r) => r.key === aiKey)!.reason, /--map postgres=<target>/);

    const real = await cli(env, ['adopt', '--json', '--map', `postgres=${one.database}`, '--collection', COLLECTION]);
    const done = JSON.parse(real.out) as typeof plan;
    adoptedIds.push(...done.adopted.map((a) => a.backupId));
    assert.equal(done.adopted.length, 6, real.err);
    assert.equal(done.rejected.length, 2);
    assert.equal(done.adopted.find((a) => a.key === aiKey)!.row, 'marked', 'the AI platform row was taken over, not duplicated');
    assert.ok(done.adopted.find((a) => a.key === aiKey)!.verified.some((c) => /sha256 matches backup_history row/.test(c)));
    const pgAi = done.adopted.find((a) => a.key === aiKey)!;
    assert.equal(pgAi.format, 'pg-custom');
    const after1 = (await store.list('')).map((o) => o.key).sort();
    assert.deepEqual(after1.filter((k) => !before.includes(k)).sort(), done.adopted.map((a) => `${a.key.slice(0, a.key.lastIndexOf('/') + 1)}${a.backupId}.manifest.json`).sort(),
      'the only new objects are the manifests beside the archives (nothing moved or rewritten)');
    const aiRow = (await catalog.pool.query('SELECT * FROM backup_history WHERE legacy_id = $1', [`postgres_${ai.digits}`])).rows;
    assert.equal(aiRow.length, 1);
    assert.equal(aiRow[0].backup_id, pgAi.backupId);
    assert.equal(aiRow[0].checksum, sha256(custom), 'the row keeps its checksum');
    assert.equal(Number(aiRow[0].size_bytes), custom.length);
    assert.equal((await catalog.pool.query('SELECT count(*)::int AS n FROM backup_history WHERE backup_id = $1 OR legacy_id = $1', [`postgres_${ai.digits}`])).rows[0].n, 1);

    // With the catalog unreachable, an adopted backup is still found by id: its manifest beside the archive.
    const offline = new Catalog({ ...config.metadata, port: 1 });
    const located = await new BackupLocator(store, offline).byId(pgAi.backupId);
    await offline.close();
    assert.deepEqual([located.from, located.manifest.adopted?.key], ['bucket', aiKey]);

    // Re-running adopts nothing new and writes no row.
    const again = JSON.parse((await cli(env, ['adopt', '--json', '--map', `postgres=${one.database}`, '--collection', COLLECTION])).out) as typeof plan;
    assert.equal(again.adopted.length, 0);
    assert.equal(again.already.length, 6);
    assert.deepEqual((await store.list('')).map((o) => o.key).sort(), after1);

    // The catalog is shared with other tests: list each adopted backup's target (they are the oldest rows).
    for (const a of done.adopted) {
      const list = await cli(env, ['list', '--target', a.target, '--limit', '100000']);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, new RegExp(`${a.backupId} \\(adopted from ${a.from}\\)`));
    }

    await withWorker(config, async (client) => {
      const id = (from: string, type?: string) => done.adopted.find((a) => a.from === from && (!type || a.key.startsWith(type)))!.backupId;
      for (const [backupId, source, into] of [[id('ai-platform', 'postgres'), one, 'ai'], [id('clara'), one, 'clara'], [id('agentic'), two, 'agentic']] as const) {
        const run = await runRestore(client, config, { type: 'postgres', backupId, into: `${source.database}_${into}` });
        assert.equal(run.failed, false, run.error);
        const t = run.result!.targets[0]!;
        assert.equal(t.status, 'restored');
        assert.ok(t.proof!.notes.some((n) => /recorded no contents.*nothing was compared/.test(n)), 'the proof says honestly it had nothing to compare');
        assert.deepEqual(await fingerprint({ ...source, database: `${source.database}_${into}` }), await fingerprint(source), `${backupId} restored equal to its source`);
      }

      // The drill instance is the default destination; force empties whatever an earlier test left there.
      // Other test files restore into the same shared drill instance: wait for theirs to finish.
      let neo = await runRestore(client, config, { type: 'neo4j', backupId: id('neo4j-r2'), force: true });
      for (let i = 0; i < 60 && neo.failed && /another restore into .* is running/.test(neo.error ?? ''); i++) {
        await new Promise((r) => setTimeout(r, 5000));
        neo = await runRestore(client, config, { type: 'neo4j', backupId: id('neo4j-r2'), force: true });
      }
      assert.equal(neo.failed, false, neo.error);
      const nodes = await cypher(drillTarget, `MATCH (n:${label}) RETURN n.name AS name, n.age AS age, n.tags AS tags ORDER BY name`);
      assert.deepEqual(nodes.map((r) => ({ name: r.get('name'), age: Number(r.get('age')), tags: r.get('tags') })),
        [...CYPHER_NODES].sort((a, b) => (a.name < b.name ? -1 : 1)));
      const rels = await cypher(drillTarget, `MATCH (a:${label})-[r:KNOWS]->(b:${label}) RETURN a.name AS a, b.name AS b, r.since AS s ORDER BY s`);
      assert.deepEqual(rels.map((r) => [r.get('a'), r.get('b'), Number(r.get('s'))]), [['Alice', 'Bob', 2020], ['Bob', 'Carol; the second', 2021]]);
      assert.equal((await cypher(drillTarget, 'SHOW CONSTRAINTS YIELD name WHERE name = $n RETURN name', { n: `${label}_name` })).length, 1);
      await cypher(drillTarget, `MATCH (n:${label}) DETACH DELETE n`);
      await cypher(drillTarget, `DROP CONSTRAINT ${label}_name IF EXISTS`);

      const admin = await runRestore(client, config, { type: 'neo4j', backupId: id('ai-platform', 'neo4j') });
      assert.equal(admin.failed, true);
      assert.match(admin.error!, /neo4j-admin dump .*neo4j-admin database load/);

      const qd = await runRestore(client, config, { type: 'qdrant', backupId: id('ai-platform', 'qdrant') });
      assert.equal(qd.failed, false, qd.error);
      const restored = /(adopt_[0-9a-f]{8}_restore_\d{8}_\d{6})/.exec(JSON.stringify(qd.result))![1]!;
      assert.deepEqual(await scroll(restored), snap.points, 'every point, vector and payload restored');

      // Retention applies to adopted backups: of target one's two (both older than 30 days), the older goes,
      // archive and manifest with it; the newest is kept.
      const ofOne = done.adopted.filter((a) => a.target === one.database).sort((a, b) => (a.backupId < b.backupId ? -1 : 1));
      const pruned = await cli(env, ['prune', '--target', one.database, '--json']);
      assert.equal(pruned.code, 0, pruned.err);
      const left = (await store.list('')).map((o) => o.key);
      assert.ok(!left.includes(ofOne[0]!.key) && !left.some((k) => k.endsWith(`${ofOne[0]!.backupId}.manifest.json`)), `the expired archive and its manifest are gone: ${pruned.out}`);
      assert.ok(left.includes(ofOne[1]!.key) && left.some((k) => k.endsWith(`${ofOne[1]!.backupId}.manifest.json`)), 'the newest stays');
      assert.ok((await catalog.get(ofOne[0]!.backupId))!.expired_at, 'its row says expired');

      // forget keeps a protected copy in Cairn's own layout before deleting the archive and its sidecar.
      const agentic = done.adopted.find((a) => a.from === 'agentic')!;
      const forgot = await cli(env, ['forget', agentic.backupId]);
      assert.equal(forgot.code, 0, forgot.err);
      const now = (await store.list('')).map((o) => o.key);
      assert.ok(!now.includes(agentic.key) && !now.includes(`${agentic.key}.sha256`), 'the archive and its sidecar are gone');
      const copy = await runRestore(client, config, { type: 'postgres', backupId: `_deleted_${agentic.backupId}`, into: `${two.database}_copy` });
      assert.equal(copy.failed, false, copy.error);
      assert.deepEqual(await fingerprint({ ...two, database: `${two.database}_copy` }), await fingerprint(two), 'the kept copy restores equal to the source');
      adoptedIds.push(`_deleted_${agentic.backupId}`);
    });
  } finally {
    store.destroy();
    await catalog.close();
  }
});
