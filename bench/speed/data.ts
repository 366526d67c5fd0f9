/**
 * The bench database: pgbench's tables (`pgbench -i -s N`, half the size) plus wide text rows and jsonb
 * documents (the other half), generated server-side. Not filler: hex digests, words and numbers compress about
 * as much as real application data does. Kept between runs, and reused when a complete one of that size exists.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PostgresTarget } from '../../config/types';
import { libpqEnv, pgBinary } from '../../engines/postgres/tools';
import { adminTarget, withPg } from '../pg-memory';
import { log, MiB, secs } from './util';

const run = promisify(execFile);
/** pg_database_size grows by about this much per pgbench scale unit (100,000 accounts). */
const PGBENCH_MIB_PER_SCALE = 15;

export interface BenchDatabase { target: PostgresTarget; bytes: number; reused: boolean }

const sizeOf = async (target: PostgresTarget) =>
  Number((await withPg(target, (c) => c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n'))).rows[0]!.n);

export async function ensureSpeedDatabase(name: string, sizeMb: number, fresh: boolean): Promise<BenchDatabase> {
  const admin = adminTarget();
  const target = adminTarget(name);
  const exists = (await withPg(admin, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]))).rowCount === 1;
  if (exists && !fresh) {
    const built = await withPg(target, async (c) => (await c.query<{ ok: boolean }>(
      `SELECT to_regclass('cairn_bench_info') IS NOT NULL AND EXISTS (SELECT 1 FROM cairn_bench_info WHERE size_mb = ${sizeMb} AND complete) AS ok`)).rows[0]!.ok)
      .catch(() => false);
    if (built) {
      const bytes = await sizeOf(target);
      log(`reusing database '${name}' (${(bytes / MiB).toFixed(0)} MiB; --fresh to rebuild)`);
      return { target, bytes, reused: true };
    }
  }
  if (exists) await withPg(admin, (c) => c.query(`DROP DATABASE "${name}" WITH (FORCE)`));
  await withPg(admin, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
  const began = Date.now();
  const scale = Math.max(1, Math.round(sizeMb / 2 / PGBENCH_MIB_PER_SCALE));
  log(`building '${name}': pgbench -i -s ${scale}, then wide text and jsonb rows up to ${sizeMb} MiB`);
  await run(pgBinary('pg_dump').replace(/pg_dump$/, 'pgbench'), ['-i', '-q', '-s', String(scale), name], { env: libpqEnv(target), maxBuffer: 16 * MiB });
  await withPg(target, async (c) => {
    await c.query(`CREATE TABLE cairn_bench_info (size_mb int NOT NULL, complete boolean NOT NULL);
      INSERT INTO cairn_bench_info VALUES (${sizeMb}, false);
      CREATE TABLE articles (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, created timestamptz NOT NULL);
      CREATE TABLE events (id bigint PRIMARY KEY, doc jsonb NOT NULL)`);
    const goal = sizeMb * MiB;
    let next = 1;
    for (let bytes = await sizeOf(target); bytes < goal; bytes = await sizeOf(target)) {
      const n = 50_000;
      // Words drawn by hash, with digests mixed in: compresses ~3x, like prose with identifiers.
      await c.query(`INSERT INTO articles
        SELECT g, initcap(w[1 + g % 12] || ' ' || w[1 + (g / 7) % 12] || ' ' || g),
               (SELECT string_agg(w[1 + (get_byte(sha256((g * 31 + i)::text::bytea), 0) % 12)] || ' ' || md5((g + i)::text), ' ')
                  FROM generate_series(1, 12) i),
               timestamptz '2024-01-01' + g * interval '37 seconds'
        FROM generate_series($1::bigint, $2::bigint) g,
             (SELECT ARRAY['backup','restore','archive','replica','snapshot','vacuum','index','cluster','shard','ledger','query','tuple']) AS words(w)`, [next, next + n - 1]);
      await c.query(`INSERT INTO events
        SELECT g, jsonb_build_object('user', 'user_' || (g % 5000), 'kind', (ARRAY['login','upload','purchase','share'])[1 + g % 4],
               'amount', round((random() * 1000)::numeric, 2), 'tags', jsonb_build_array(md5(g::text), g % 97, g % 13 = 0),
               'session', encode(sha256(g::text::bytea), 'base64'), 'at', now() - g * interval '1 second')
        FROM generate_series($1::bigint, $2::bigint) g`, [next, next + n - 1]);
      next += n;
    }
    await c.query('VACUUM (FREEZE, ANALYZE)');
    await c.query('UPDATE cairn_bench_info SET complete = true');
  });
  const bytes = await sizeOf(target);
  log(`built '${name}' in ${secs(Date.now() - began)}: ${(bytes / MiB).toFixed(0)} MiB`);
  return { target, bytes, reused: false };
}

/** An empty database, to measure what a backup cycle costs beyond the data (orchestration overhead). */
export async function ensureEmptyDatabase(name: string): Promise<PostgresTarget> {
  const admin = adminTarget();
  const exists = (await withPg(admin, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]))).rowCount === 1;
  if (!exists) await withPg(admin, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
  return adminTarget(name);
}
