/** Archives made exactly as the replaced deployments made them, for test/adopt.test.ts; and the CLI and Qdrant calls it uses. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { PostgresTarget } from '../../config/types';
import { libpqEnv, pgBinary } from '../../engines/postgres/tools';
import type { BackupStore } from '../../storage/store';

const CAIRN = join(__dirname, '..', '..', '..', 'bin', 'cairn.js');
export const QDRANT = process.env.QDRANT_URL ?? `http://127.0.0.1:${process.env.QDRANT_PORT ?? 6333}`;

/**
 * A random time within 20 days after day `from` of 2025, so the AI platform's backup_history ids (not unique by
 * target) are this run's own, and stamps with `from` 40+ days apart are more than retention's 30 days apart.
 */
export function stamp(from = 0): { at: Date; digits: string; day: string; dashed: string } {
  const at = new Date(Date.UTC(2025, 0, 1) + (from + Math.floor(Math.random() * 20)) * 86_400_000 + 2 * 3_600_000 + Math.floor(Math.random() * 3000) * 1000);
  const iso = at.toISOString();
  const digits = `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
  return { at, digits, day: iso.slice(0, 10).replace(/-/g, '/'), dashed: `${iso.slice(0, 10)}_${iso.slice(11, 19).replace(/:/g, '-')}` };
}

export function pgDump(db: PostgresTarget, args: string[]): Buffer {
  const res = spawnSync(pgBinary('pg_dump'), args, { env: libpqEnv(db), maxBuffer: 512 * 1024 * 1024 });
  assert.equal(res.status, 0, res.stderr?.toString());
  return res.stdout;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const put = (store: BackupStore, key: string, body: Buffer) => store.upload(key, Readable.from([body]), 'application/octet-stream');

export function cli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CAIRN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

export const CYPHER_NODES = [
  { name: 'Alice', age: 30, tags: ['a', "it's"] }, { name: 'Bob', age: 25, tags: [] }, { name: 'Carol; the second', age: 41, tags: ['c'] },
];
/** The Neo4j-to-R2 service's export, in its documented shape: header comments, schema, then CREATE statements. */
export function cypherScript(label: string): string {
  const lines = ['// Neo4j Database Export', '// Database: neo4j', '// Exported: 2025-10-08T02:00:00', '',
    `CREATE CONSTRAINT ${label}_name IF NOT EXISTS FOR (n:${label}) REQUIRE n.name IS UNIQUE;`, ''];
  for (const n of CYPHER_NODES) {
    lines.push(`CREATE (n:${label} {name: '${n.name.replace(/'/g, "\\'")}', age: ${n.age}, tags: [${n.tags.map((t) => `'${t.replace(/'/g, "\\'")}'`).join(', ')}]});`);
  }
  lines.push(`MATCH (a:${label} {name: 'Alice'}), (b:${label} {name: 'Bob'})`, 'CREATE (a)-[:KNOWS {since: 2020}]->(b);');
  lines.push(`/* a comment; with a semicolon */ MATCH (a:${label} {name: 'Bob'}), (b:${label} {name: 'Carol; the second'}) CREATE (a)-[:KNOWS {since: 2021}]->(b);`);
  return lines.join('\n') + '\n';
}

export async function qdrant<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${QDRANT}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return ((await res.json()) as { result: T }).result;
}

export async function qdrantSnapshot(COLLECTION: string): Promise<{ bytes: Buffer; points: unknown[] }> {
  await qdrant('PUT', `/collections/${COLLECTION}`, { vectors: { size: 4, distance: 'Cosine' } });
  const points = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, vector: [i, 1, 2, 3].map((x) => x / 10 + 0.5), payload: { n: i, word: `w${i}` } }));
  await qdrant('PUT', `/collections/${COLLECTION}/points?wait=true`, { points });
  const snap = await qdrant<{ name: string }>('POST', `/collections/${COLLECTION}/snapshots?wait=true`);
  const res = await fetch(`${QDRANT}/collections/${COLLECTION}/snapshots/${snap.name}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  await fetch(`${QDRANT}/collections/${COLLECTION}/snapshots/${snap.name}`, { method: 'DELETE' });
  return { bytes, points: await scroll(COLLECTION) };
}

export async function scroll(collection: string): Promise<unknown[]> {
  const r = await qdrant<{ points: unknown[] }>('POST', `/collections/${collection}/points/scroll`, { limit: 1000, with_payload: true, with_vector: true });
  return r.points;
}

