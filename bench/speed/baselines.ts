/**
 * What Cairn is measured against, on the same database in the same run: pg_dump alone (its default gzip, and
 * -Z0, the raw read), the "seed way" (dump to a local file, sha256sum, upload with a plain S3 client), and
 * pg_restore from a local file and from a directory-format dump with -j.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PostgresTarget, StorageConfig } from '../../config/types';
import { libpqEnv, pgBinary } from '../../engines/postgres/tools';
import { ObjectStore } from '../../storage/s3';
import { adminTarget, withPg } from '../pg-memory';
import { timedCommand, type Timed } from './util';

export interface Measured extends Timed { storedBytes?: number }

const dumpArgs = (target: PostgresTarget, extra: string[]) => ['--format=custom', ...extra, '--no-password', target.database];

/** `pg_dump -Fc [extra] > /dev/null` */
export async function dumpToNull(target: PostgresTarget, extra: string[]): Promise<Measured> {
  return timedCommand(pgBinary('pg_dump'), dumpArgs(target, extra), libpqEnv(target));
}

/** The seed way, timed whole: pg_dump -Fc to a file, sha256sum it, PUT it with the S3 client. Leaves the file in `dir`. */
export async function seedWay(target: PostgresTarget, storage: StorageConfig, dir: string): Promise<Measured & { file: string }> {
  const file = join(dir, 'seed.dump');
  const began = Date.now();
  const dump = await timedCommand(pgBinary('pg_dump'), dumpArgs(target, []), libpqEnv(target), file);
  await timedCommand('sha256sum', [file], process.env);
  const store = new ObjectStore(storage);
  const size = statSync(file).size;
  try {
    await store.ensureBucket();
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: 'bench/seed.dump', Body: createReadStream(file), ContentLength: size }));
  } finally {
    store.destroy();
  }
  return { ms: Date.now() - began, peakRss: dump.peakRss, storedBytes: size, file };
}

async function withScratchDatabase<T>(name: string, fn: (db: PostgresTarget) => Promise<T>): Promise<T> {
  await withPg(adminTarget(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  await withPg(adminTarget(), (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
  try {
    return await fn(adminTarget(name));
  } finally {
    await withPg(adminTarget(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

/** `pg_restore --no-owner --no-acl -d <new db> <file>` */
export async function restoreFromFile(file: string, scratch: string): Promise<Measured> {
  return withScratchDatabase(scratch, (db) =>
    timedCommand(pgBinary('pg_restore'), ['--no-owner', '--no-acl', '--exit-on-error', '-d', db.database, file], libpqEnv(db)));
}

/**
 * `zstd -dc file.dump.zst | pg_restore ...`: the same compression as Cairn's zstd artifact (pg_dump -Z0 | zstd,
 * made first, untimed), restored the way its README says to by hand.
 */
export async function restoreFromZstdFile(source: PostgresTarget, level: number, scratch: string, dir: string): Promise<Measured> {
  const file = join(dir, 'seed.dump.zst');
  await timedCommand('sh', ['-c', `"$0" --format=custom --compress=0 --no-password "$1" | zstd -${level} -q -c > "$2"`, pgBinary('pg_dump'), source.database, file], libpqEnv(source));
  try {
    return await withScratchDatabase(scratch, (db) => timedCommand('sh', ['-c', 'zstd -dcq "$0" | "$1" --no-owner --no-acl --exit-on-error --single-transaction -d "$2"', file, pgBinary('pg_restore'), db.database], libpqEnv(db)));
  } finally {
    rmSync(file, { force: true });
  }
}

/** `pg_restore -j N` from a directory-format dump (made first, not timed). */
export async function restoreFromDirectory(source: PostgresTarget, jobs: number, scratch: string, dir: string): Promise<Measured> {
  const out = mkdtempSync(join(dir, 'dirdump-'));
  rmSync(out, { recursive: true });
  await timedCommand(pgBinary('pg_dump'), ['--format=directory', `--jobs=${jobs}`, '-f', out, '--no-password', source.database], libpqEnv(source));
  try {
    return await withScratchDatabase(scratch, (db) =>
      timedCommand(pgBinary('pg_restore'), ['--no-owner', '--no-acl', '--exit-on-error', `--jobs=${jobs}`, '-d', db.database, out], libpqEnv(db)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
