/**
 * The DR drill on the real stack: the latest complete set of PostgreSQL, Neo4j and Qdrant restored into isolated
 * drill destinations, proven, smoke-tested, checked by the user's own checks, measured, reported and torn down,
 * with production untouched; a failing user check fails the drill naming it; a drill destination that is
 * production is refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ObjectStore } from '../storage/s3';
import { Catalog } from '../catalog/catalog';
import { loadConfig } from '../config/load';
import type { CairnConfig, PostgresTarget } from '../config/types';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { runCycle } from './support/cycle';
import { runDrill } from './support/restore';
import { cypher, drillTarget, mainTarget, snapshot } from './support/neo4j-graph';
import { qdrantUnderTest, type QdrantUnderTest } from './qdrant-standin/harness';

let q: QdrantUnderTest;
let pg: PostgresTarget;
const collection = `docs_${randomUUID().slice(0, 8)}`;
const marker = `DrillDoc_${randomUUID().slice(0, 8)}`;

before(async () => {
  q = await qdrantUnderTest();
  pg = await createDatabase('drill');
  await query(pg, 'CREATE TABLE documents (id int PRIMARY KEY, body text); INSERT INTO documents SELECT g, md5(g::text) FROM generate_series(1, 25) g;');
  await q.call('PUT', `/collections/${collection}`, { vectors: { size: 4, distance: 'Cosine' } });
  await q.call('PUT', `/collections/${collection}/points?wait=true`, { points: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, vector: [1, i, 0.5, -i], payload: { doc: i + 1 } })) });
  await cypher(mainTarget, `UNWIND range(1, 25) AS i CREATE (:\`${marker}\` {i: i})`);
});
after(async () => {
  await cypher(mainTarget, `MATCH (n:\`${marker}\`) DETACH DELETE n`).catch(() => undefined);
  await q.call('DELETE', `/collections/${collection}`).catch(() => undefined);
  await q.stop();
  await dropDatabase(pg);
});

/** A config file holding only the drill checks; targets come from the environment as usual. */
function drillConfig(label: string, checks: unknown[], extra: Record<string, string> = {}, base?: CairnConfig): CairnConfig {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-drill-'));
  writeFileSync(join(dir, 'cairn.json'), JSON.stringify({ drill_checks: checks }));
  const env = {
    CAIRN_TARGET_TYPES: 'postgres,neo4j,qdrant', POSTGRES_DATABASES: pg.database, QDRANT_URL: q.target.url, QDRANT_API_KEY: q.target.apiKey ?? '',
    CAIRN_CONFIG: join(dir, 'cairn.json'), ...extra,
  };
  return base
    ? loadConfig({ ...process.env, ...env, TEMPORAL_TASK_QUEUE: base.temporal.taskQueue, BACKUP_BUCKET: base.storage.bucket })
    : testConfig(label, env);
}

const passing = () => [
  { name: 'documents-match-points', equal: [{ target: pg.database, query: 'SELECT count(*) FROM documents' }, { target: 'qdrant', collection }] },
  { name: 'graph-has-docs', target: 'neo4j', query: `MATCH (n:\`${marker}\`) RETURN count(n)`, expect: '25' },
];

const drillDatabases = async () => (await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${pg.database}\\_drill\\_%`])).map((r) => r.datname);

test('a drill restores the latest complete set in isolation, proves and checks it, measures RTO and RPO, and leaves nothing behind', { timeout: 600_000 }, async () => {
  const config = drillConfig('drill', passing());
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const prodBefore = { pg: await fingerprint(pg), neo4j: await snapshot(mainTarget), qdrant: await q.call('POST', `/collections/${collection}/points/count`, { exact: true }) };

    const run = await runDrill(client, config);
    assert.equal(run.failed, false, run.error);
    const r = run.report!;
    assert.equal(r.passed, true, r.reasons.join('; '));
    assert.deepEqual(r.targets.map((t) => t.status).sort(), ['restored', 'restored', 'restored']);
    for (const t of r.targets) assert.deepEqual(t.proof!.checks.filter((c) => !c.ok), [], `${t.target}: every proof check matched`);
    assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [['documents-match-points', true], ['graph-has-docs', true]]);
    for (const checks of Object.values(r.smoke)) assert.ok(checks.length > 0 && checks.every((c) => c.ok));
    assert.ok(r.rto.totalMs > 0 && r.rto.totalMs <= r.rto.objectiveMs && r.rto.withinObjective);
    assert.deepEqual(Object.keys(r.rto.perTarget).sort(), [pg.database, 'neo4j', 'qdrant'].sort());
    assert.ok(r.rpo.maxMs > 0, 'RPO is the age of the restored consistency points');
    assert.ok(r.teardown.every((t) => t.ok), JSON.stringify(r.teardown));

    // Production untouched, the drill environment gone.
    assert.deepEqual(await fingerprint(pg), prodBefore.pg);
    assert.deepEqual(await snapshot(mainTarget), prodBefore.neo4j);
    assert.deepEqual(await q.call('POST', `/collections/${collection}/points/count`, { exact: true }), prodBefore.qdrant);
    assert.deepEqual(await drillDatabases(), []);
    const names = (await q.call<{ collections: { name: string }[] }>('GET', '/collections')).collections.map((c) => c.name);
    assert.deepEqual(names.filter((n) => n.includes('_drill_')), []);
    assert.equal((await cypher(drillTarget, 'MATCH (n) RETURN count(n) AS c'))[0]!.get('c').toNumber(), 0);

    const store = new ObjectStore(config.storage);
    const md = await store.getText(`drills/${r.startedAt.slice(0, 10).replace(/-/g, '/')}/${r.drillId}.md`);
    store.destroy();
    assert.match(md, /PASSED/);
    assert.match(md, /\*\*RTO\*\* /);
    const catalog = new Catalog(config.metadata);
    const [row] = (await catalog.pool.query('SELECT * FROM dr_drill_history WHERE drill_id = $1', [r.drillId])).rows;
    await catalog.close();
    assert.equal(row.passed, true);
    assert.equal(Number(row.rto_ms), r.rto.totalMs);
  });

  // The same set, on a worker whose only user check does not hold: the drill fails, naming the check.
  const failing = drillConfig('drill', [{ name: 'expects-too-many', target: pg.database, query: 'SELECT count(*) FROM documents', expect: '26' }], {}, config);
  await withWorker(failing, async (c2) => {
    const bad = await runDrill(c2, failing);
    assert.equal(bad.failed, true);
    assert.match(bad.error!, /check 'expects-too-many' failed: .*expected 26, got 25/);
    assert.equal(bad.report!.passed, false);
    assert.ok(bad.report!.teardown.every((t) => t.ok));
  });
  assert.deepEqual(await drillDatabases(), []);
});

test('a drill whose destination is a production database is refused before anything is restored', { timeout: 300_000 }, async () => {
  const config = drillConfig('drill-prod', [], { NEO4J_DRILL_URI: mainTarget.uri });
  await withWorker(config, async (client) => {
    assert.equal((await runCycle(client, config)).failed, false);
    const before = await snapshot(mainTarget);
    const run = await runDrill(client, config);
    assert.equal(run.failed, true);
    assert.match(run.error!, /production/);
    assert.deepEqual(await snapshot(mainTarget), before);
  });
});
