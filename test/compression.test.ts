/**
 * PostgreSQL dump compression as operators set it (CAIRN_PG_COMPRESSION, a file target's `compression`), and
 * where each choice compresses. Pure: no servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { parseCompression } from '../config/compression';
import type { PostgresTarget } from '../config/types';
import { dumpCompression } from '../engines/postgres/dump-stream';
import { storedEncoding } from '../engines/engine';

test('gzip, zstd, lz4 and none parse, with levels in range; anything else is one line naming the setting', () => {
  assert.deepEqual(parseCompression('K', 'zstd'), { method: 'zstd' });
  assert.deepEqual(parseCompression('K', 'ZSTD:19'), { method: 'zstd', level: 19 });
  assert.deepEqual(parseCompression('K', 'gzip:1'), { method: 'gzip', level: 1 });
  assert.deepEqual(parseCompression('K', 'none'), { method: 'none' });
  assert.throws(() => parseCompression('CAIRN_PG_COMPRESSION', 'brotli'), /config: CAIRN_PG_COMPRESSION must be gzip\[:1-9\], zstd\[:1-19\], lz4 or none, got 'brotli'/);
  assert.throws(() => parseCompression('K', 'gzip:10'), /level for gzip must be 1-9, got '10'/);
  assert.throws(() => parseCompression('K', 'lz4:3'), /lz4 takes no level/);
  assert.throws(() => parseCompression('K', 'zstd:x'), /level for zstd/);
});

test('CAIRN_PG_COMPRESSION reaches environment targets; a file target has its own compression key', () => {
  const env = loadConfig({ CAIRN_TARGET_TYPES: 'postgres', CAIRN_PG_COMPRESSION: 'gzip:4' });
  assert.deepEqual((env.targets[0] as PostgresTarget).compression, { method: 'gzip', level: 4 });
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-compression-'));
  try {
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'targets:\n  - { type: postgres, name: app, user: u, password: p, database: app, compression: "zstd:9" }\n  - { type: postgres, name: other, user: u, password: p, database: other }\n');
    const [app, other] = loadConfig({ CAIRN_CONFIG: file }).targets as PostgresTarget[];
    assert.deepEqual(app!.compression, { method: 'zstd', level: 9 });
    assert.equal(other!.compression, undefined, 'unset: the default applies at backup time');
    writeFileSync(file, 'targets:\n  - { type: postgres, name: app, user: u, password: p, database: app, compression: fast }\n');
    assert.throws(() => loadConfig({ CAIRN_CONFIG: file }), /targets\[0\]\.compression must be gzip/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zstd is pg_dump -Z0 | zstd (a .dump.zst); gzip and lz4 are pg_dump\'s own; lz4 needs pg_dump 16', () => {
  const zstd = dumpCompression({ method: 'zstd', level: 5 }, 15);
  assert.equal(zstd.pgDumpFlag, '--compress=0');
  assert.deepEqual([zstd.spec.extension, zstd.spec.encoded, zstd.zstdArgs?.[0]], ['dump.zst', 'zstd', '-5']);
  const gzip = dumpCompression({ method: 'gzip' }, 15);
  assert.deepEqual([gzip.pgDumpFlag, gzip.spec.extension, gzip.spec.compress], ['--compress=6', 'dump', false]);
  assert.equal(dumpCompression({ method: 'none' }, 15).pgDumpFlag, '--compress=0');
  assert.equal(dumpCompression({ method: 'lz4' }, 16).pgDumpFlag, '--compress=lz4');
  assert.throws(() => dumpCompression({ method: 'lz4' }, 15), /lz4 needs pg_dump 16 or newer/);
});

test('manifests written before `encoding` existed keep their meaning: compressed means gzip', () => {
  assert.equal(storedEncoding({ compressed: true }), 'gzip');
  assert.equal(storedEncoding({ compressed: false }), undefined);
  assert.equal(storedEncoding({ compressed: true, encoding: 'zstd' }), 'zstd');
});
