/**
 * One flipped byte, then a truncated object, in a PostgreSQL backup's dump: validation (validateOnly) and
 * restore (into a new database and into a chosen empty one) refuse, naming the object, and touch nothing.
 * Shared by test/restore-postgres.test.ts and the fault suite (npm run test:faults).
 */
import assert from 'node:assert/strict';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { PostgresTarget } from '../../config/types';
import { ObjectStore } from '../../storage/s3';
import { testConfig, withWorker } from './stack';
import { adminTarget, query } from './pg';
import { readManifest, runCycle } from './cycle';
import { runRestore } from './restore';

/** Databases a restore of `db` made: <source>_restore_<stamp>. */
export const restoredCopies = async (db: PostgresTarget) =>
  (await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}\\_restore\\_%`])).map((r) => r.datname);

/** Backs `source` up, damages the dump both ways in turn, and asserts every validate and restore refuses. */
export async function assertDamagedBackupRefused(label: string, source: PostgresTarget, empty: PostgresTarget, compression = 'gzip'): Promise<void> {
  const config = testConfig(label, { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: source.database, CAIRN_PG_COMPRESSION: compression });
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const manifest = await readManifest(config, cycle.results[0]!.manifestKey!);
    const dump = manifest.artifacts[0]!;
    const store = new ObjectStore(config.storage);
    const original = Buffer.from(await (await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: dump.key }))).Body!.transformToByteArray());
    const put = (body: Buffer) => store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: dump.key, Body: body }));
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    try {
      for (const [damage, body] of [['flipped byte', flipped], ['truncated', original.subarray(0, Math.floor(original.length / 2))]] as const) {
        await put(body);
        for (const input of [
          { type: 'postgres', target: source.database, validateOnly: true },
          { type: 'postgres', target: source.database },
          { type: 'postgres', target: source.database, into: empty.database },
        ]) {
          const run = await runRestore(client, config, input);
          assert.equal(run.failed, true, `${damage}: ${JSON.stringify(input)} must fail`);
          assert.ok(run.error!.includes(dump.key), `${damage}: the error names the object: ${run.error}`);
          // zstd may stop at the damage before the whole object was hashed: it says so, naming the object.
          assert.match(run.error!, damage === 'truncated' ? /truncated/ : /does not match its manifest|does not decompress/);
        }
        assert.deepEqual(await restoredCopies(source), [], `${damage}: no database was created`);
        assert.deepEqual(await query(empty, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"), [], `${damage}: the chosen destination is untouched`);
      }
    } finally {
      await put(original);
      store.destroy();
    }
  });
}
