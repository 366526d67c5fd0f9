/** backup_history: existing deployments' queries keep working, legacy tables are extended, retries never duplicate rows. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../catalog/catalog';
import { createDatabase, dropDatabase, query } from './support/pg';
import type { PostgresTarget } from '../config/types';

let db: PostgresTarget;
let catalog: Catalog;
before(async () => {
  db = await createDatabase('catalog');
  catalog = new Catalog(db);
});
after(async () => {
  await catalog.close();
  await dropDatabase(db);
});

// The operational queries the seed deployments run today, verbatim: only the original columns.
const OPERATIONAL = {
  recent: `SELECT backup_id, backup_type, timestamp, size_bytes, status FROM backup_history ORDER BY timestamp DESC LIMIT 10`,
  failuresByType: `SELECT backup_type, COUNT(*) AS failures FROM backup_history WHERE status = 'failed' AND timestamp > NOW() - INTERVAL '7 days' GROUP BY backup_type ORDER BY backup_type`,
  successRate: `SELECT backup_type, ROUND(100.0 * SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) / COUNT(*), 2) AS success_rate FROM backup_history WHERE timestamp > NOW() - INTERVAL '30 days' GROUP BY backup_type ORDER BY backup_type`,
  sizes: `SELECT backup_type, AVG(size_bytes)::bigint AS avg_size, MAX(size_bytes) AS max_size FROM backup_history WHERE status = 'success' GROUP BY backup_type ORDER BY backup_type`,
  recentFailures: `SELECT backup_id, timestamp, error_message FROM backup_history WHERE status = 'failed' ORDER BY timestamp DESC LIMIT 20`,
};

test('a legacy backup_history table is extended in place: old rows stay, old queries run unchanged', async () => {
  await query(db, `CREATE TABLE backup_history (id SERIAL PRIMARY KEY, backup_id VARCHAR(255) NOT NULL, backup_type VARCHAR(50) NOT NULL,
    timestamp TIMESTAMP NOT NULL, size_bytes BIGINT, checksum VARCHAR(64), status VARCHAR(20) NOT NULL, error_message TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    INSERT INTO backup_history (backup_id, backup_type, timestamp, size_bytes, checksum, status) VALUES
      ('postgres_20250101_020000', 'postgres', now() - interval '2 days', 1000, 'abc', 'success'),
      ('neo4j_20250101_020000', 'neo4j', now() - interval '2 days', NULL, NULL, 'failed');`);
  await catalog.migrate();
  await catalog.migrate(); // a second worker starting later applies nothing twice

  const now = new Date();
  const run = (n: number) => ({ workflowId: `wf-${n}`, runId: `run-${n}` });
  const ok = await catalog.begin('postgres', 'app', run(1), now);
  await catalog.succeed(ok, { sizeBytes: 3000, checksum: 'f'.repeat(64), objectKey: 'k', manifestKey: 'm', durationMs: 5, counts: { tables: { 'public.t': 1 } } });
  const bad = await catalog.begin('neo4j', 'graph', run(2), now);
  await catalog.fail(bad, 'Neo4j graph: authentication failed', 7);

  const rows = await query(db, OPERATIONAL.recent);
  assert.equal(rows.length, 4);
  assert.deepEqual(await query(db, OPERATIONAL.failuresByType), [{ backup_type: 'neo4j', failures: '2' }]);
  assert.deepEqual(await query(db, OPERATIONAL.successRate), [{ backup_type: 'neo4j', success_rate: '0.00' }, { backup_type: 'postgres', success_rate: '100.00' }]);
  assert.deepEqual(await query(db, OPERATIONAL.sizes), [{ backup_type: 'postgres', avg_size: '2000', max_size: '3000' }]);
  const failures = await query<{ backup_id: string; error_message: string | null }>(db, OPERATIONAL.recentFailures);
  assert.equal(failures[0]!.backup_id, bad);
  assert.match(failures[0]!.error_message!, /authentication failed/);
});

test('retries of begin return the same id; two runs in the same second get distinct ids; success is never downgraded', async () => {
  await catalog.migrate();
  const at = new Date('2026-01-02T03:04:05Z');
  const first = await catalog.begin('qdrant', 'vectors', { workflowId: 'wf-a', runId: 'run-a' }, at);
  assert.equal(first, 'qdrant_vectors_20260102_030405');
  assert.equal(await catalog.begin('qdrant', 'vectors', { workflowId: 'wf-a', runId: 'run-a' }, at), first);
  const second = await catalog.begin('qdrant', 'vectors', { workflowId: 'wf-b', runId: 'run-b' }, at);
  assert.equal(second, 'qdrant_vectors_20260102_030406');
  assert.equal((await query(db, `SELECT 1 FROM backup_history WHERE target = 'vectors'`)).length, 2);

  await catalog.succeed(first, { sizeBytes: 1, checksum: 'a', objectKey: 'k', manifestKey: 'm', durationMs: 1, counts: {} });
  await catalog.fail(first, 'a late retry of a failure path', 1);
  assert.equal((await catalog.get(first))!.status, 'success');
});

test('status only takes the three documented values', async () => {
  await catalog.migrate();
  await assert.rejects(query(db, `INSERT INTO backup_history (backup_id, backup_type, timestamp, status) VALUES ('x', 'postgres', now(), 'done')`), /backup_history_status_check/);
});
