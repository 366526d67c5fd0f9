/** The bucket format is Cairn's most durable interface: documents written by earlier versions stay readable and restorable. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../storage/format/manifest';
import { parseSet, setIdFor, setKey } from '../storage/format/backup-set';
import { ObjectStore } from '../storage/s3';
import type { PostgresTarget } from '../config/types';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { readManifest, runCycle } from './support/cycle';
import { runRestore } from './support/restore';

/** A manifest exactly as Cairn 0.1 (manifest version 1) wrote it. */
const V1 = {
  format: 'cairn-backup-manifest', version: 1, backupId: 'postgres_app_20261101_020000', type: 'postgres', target: 'app',
  workflowId: 'cairn-backup-cycle-2026-11-01T02:00:00Z', createdAt: '2026-11-01T02:00:00.412Z', sourceVersion: 'PostgreSQL 15.18',
  consistency: { method: 'pg_export_snapshot', snapshot: '00000003-0000001B-1', at: '2026-11-01T02:00:00.401Z' },
  counts: { tables: { 'public.t': 3 } },
  artifacts: [{ part: '', key: 'postgres/app/2026/11/01/postgres_app_20261101_020000.dump', sizeBytes: 1234, sha256: 'ab'.repeat(32), compressed: false,
    sidecarKey: 'postgres/app/2026/11/01/postgres_app_20261101_020000.dump.sha256' }],
  totalSizeBytes: 1234, checksum: 'ab'.repeat(32), durations: { dumpMs: 120, validateMs: 40, totalMs: 160 },
  validation: { checkedAt: '2026-11-01T02:00:01.000Z', checks: ['postgres structural check'] },
};

test('manifests of version 1 parse; unknown versions and foreign documents are refused with a reason', () => {
  const m = parseManifest(JSON.stringify(V1), 'v1.manifest.json');
  assert.equal(m.version, 1);
  assert.equal(m.proof, undefined);
  assert.throws(() => parseManifest(JSON.stringify({ ...V1, version: 99 }), 'k'), /version 99, which this Cairn does not know.*upgrade Cairn/);
  assert.throws(() => parseManifest('{"format":"something-else"}', 'k'), /not a cairn-backup-manifest document/);
  assert.throws(() => parseManifest('{"format":', 'k'), /not valid JSON/);
  const id = setIdFor(new Date('2026-11-21T02:00:00Z'), 'a1b2c3d4-0000-4000-8000-000000000000');
  assert.equal(id, 'set_20261121_020000_a1b2c3d4');
  assert.equal(setKey(id), 'sets/2026/11/21/set_20261121_020000_a1b2c3d4.json');
  assert.throws(() => parseSet(JSON.stringify({ format: 'cairn-backup-set', version: 2 }), 'k'), /version 2/);
});

const dbs: PostgresTarget[] = [];
after(async () => {
  for (const db of dbs) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
});

test('a backup whose manifest is version 1 (no proof) still restores, proven by its counts, and the report says so', { timeout: 300_000 }, async () => {
  const source = await createDatabase('fmt-v1');
  dbs.push(source);
  await query(source, 'CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 300) g;');
  const config = testConfig('fmt-v1', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database });
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const key = cycle.results[0]!.manifestKey!;
    const v2 = await readManifest(config, key);
    const v1: Record<string, unknown> = { ...v2, version: 1 };
    delete v1.proof;
    delete v1.setId;
    const store = new ObjectStore(config.storage);
    await store.putText(key, JSON.stringify(v1, null, 2), 'application/json');
    store.destroy();

    const run = await runRestore(client, config, { type: 'postgres', backupId: v2.backupId });
    assert.equal(run.failed, false, run.error);
    const [t] = run.result!.targets;
    assert.equal(t!.status, 'restored');
    assert.ok(t!.proof!.checks.length > 0 && t!.proof!.checks.every((c) => c.ok));
    assert.match(t!.proof!.notes.join(' '), /version 1|no proof|counts only/i);
    assert.deepEqual(await fingerprint({ ...source, database: t!.destination.split('/').at(-1)! }), await fingerprint(source));
  });
});
