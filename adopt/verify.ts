/**
 * Verifying a legacy archive before adopting it, in one streamed pass: its SHA-256 (against a sidecar or the
 * legacy catalog's checksum, when there is one), the whole gzip stream, and its format read to the end
 * (pg_restore reads a custom archive whole; a plain dump must end with pg_dump's closing line; a Cypher
 * script must split into whole statements; a Qdrant snapshot must be a whole tar archive).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { commandProblem, scriptItems } from '../engines/neo4j/cypher-statements';
import { pgBinary } from '../engines/postgres/tools';
import { inspectTar } from '../engines/qdrant/tar-check';
import type { LegacyFormat } from '../storage/format/adopted';
import type { BackupStore } from '../storage/store';
import type { LegacyArchive } from './layouts';

export interface Verified {
  sizeBytes: number;
  sha256: string;
  /** the format found, which may refine what the name said (an AI platform `.dump` may be plain SQL) */
  format: LegacyFormat;
  checks: string[];
  /** 'PostgreSQL 16.4' and the like, when the archive says */
  sourceVersion?: string;
  dumpedWith?: string;
}

/** An archive that is not what its layout promises, or fails its checksum: reported, never adopted. */
export class Rejected extends Error {}

export interface Expected { sha256: string; from: string }

/** Reads `<hex>  <file>` as `sha256sum` writes it; the name must be the archive's. */
export async function sidecarChecksum(store: BackupStore, archive: LegacyArchive): Promise<Expected> {
  const key = archive.sidecarKey!;
  let text: string;
  try {
    text = await store.getText(key);
  } catch {
    throw new Rejected(`its checksum file ${key} is missing: the ${archive.from} service writes one beside every archive`);
  }
  const m = /^([0-9a-fA-F]{64})\s+\*?(\S.*?)\s*$/m.exec(text);
  const file = archive.key.slice(archive.key.lastIndexOf('/') + 1);
  if (!m) throw new Rejected(`its checksum file ${key} does not hold a sha256sum line ("<64 hex>  ${file}")`);
  if (m[2]!.slice(m[2]!.lastIndexOf('/') + 1) !== file) throw new Rejected(`its checksum file ${key} names ${m[2]}, not ${file}`);
  return { sha256: m[1]!.toLowerCase(), from: key };
}

export async function verifyArchive(store: BackupStore, archive: LegacyArchive, expected: Expected[]): Promise<Verified> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) { sizeBytes += chunk.length; hash.update(chunk); done(null, chunk); },
  });
  const raw = await store.open(archive.key);
  raw.on('error', (err) => hashing.destroy(err));
  raw.pipe(hashing);
  let content: Readable = hashing;
  const checks: string[] = [];
  if (archive.gzip) {
    const gunzip = createGunzip();
    hashing.on('error', (err) => gunzip.destroy(err));
    content = hashing.pipe(gunzip);
  }
  let found: Omit<Verified, 'sizeBytes' | 'sha256' | 'checks'>;
  try {
    found = await checkContent(archive.format, content, checks);
    content.resume(); // the rest (if any), so every byte is hashed
    if (!content.readableEnded) await new Promise((resolve, reject) => { content.once('end', resolve); content.once('error', reject); });
  } catch (err) {
    raw.destroy();
    if (err instanceof Rejected) throw err;
    throw new Rejected(`${archive.gzip ? 'it is not a whole gzip stream, or ' : ''}it cannot be read to its end: ${(err as Error).message}`);
  }
  if (archive.gzip) checks.unshift('whole gzip stream decompressed');
  const sha256 = hash.digest('hex');
  for (const e of expected) {
    if (e.sha256 !== sha256) throw new Rejected(`its SHA-256 is ${sha256}, but ${e.from} records ${e.sha256}: it changed or is damaged`);
    checks.unshift(`sha256 matches ${e.from}`);
  }
  return { sizeBytes, sha256, checks, ...found };
}

/** Reads an archive's (decompressed) content to its end as its format; throws Rejected naming what is wrong. */
export async function checkContent(format: LegacyFormat, content: Readable, checks: string[]): Promise<Omit<Verified, 'sizeBytes' | 'sha256' | 'checks'>> {
  switch (format) {
    case 'pg-custom':
    case 'pg-plain-sql': return checkPostgres(content, checks);
    case 'neo4j-cypher-script': {
      let statements = 0;
      for await (const item of scriptItems(content)) {
        if (item.kind === 'statement') statements++;
        else if (commandProblem(item.text)) throw new Rejected(commandProblem(item.text)!);
      }
      if (statements === 0) throw new Rejected('it holds no Cypher statement');
      checks.push(`Cypher script splits into ${statements} whole statements`);
      return { format };
    }
    case 'qdrant-snapshot': {
      const tar = await inspectTar(content);
      checks.push(`readable tar archive (${tar.entries} entries)`);
      return { format };
    }
    case 'neo4j-admin-dump':
      checks.push('read to its end (a neo4j-admin dump can only be checked by loading it)');
      return { format };
  }
}

/** A custom archive starts with PGDMP; anything else from pg_dump is a plain SQL script. */
async function checkPostgres(content: Readable, checks: string[]): Promise<Omit<Verified, 'sizeBytes' | 'sha256' | 'checks'>> {
  const first = await firstBytes(content, 5);
  const replay = new PassThrough();
  replay.write(first);
  content.on('error', (err) => replay.destroy(err));
  content.pipe(replay);
  if (first.toString('latin1') === 'PGDMP') {
    await readCustomArchive(replay);
    checks.push('pg_restore read the whole custom-format archive');
    return { format: 'pg-custom' };
  }
  return { format: 'pg-plain-sql', ...(await readPlainDump(replay, checks)) };
}

async function firstBytes(stream: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk = stream.read() as Buffer | null;
    if (chunk === null) {
      if (stream.readableEnded) break;
      await new Promise((resolve, reject) => { stream.once('readable', resolve); stream.once('end', resolve); stream.once('error', reject); });
      continue;
    }
    parts.push(chunk);
    have += chunk.length;
  }
  const all = Buffer.concat(parts);
  if (all.length > n) stream.unshift(all.subarray(n));
  return all.subarray(0, n);
}

function readCustomArchive(source: Readable): Promise<void> {
  const child = spawn(pgBinary('pg_restore'), ['--file=/dev/null'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { if (stderr.length < 10_000) stderr += d.toString('utf8'); });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`could not run pg_restore: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Rejected(`pg_restore cannot read it as a custom-format archive: ${stderr.trim().split('\n').slice(-2).join('; ') || `exit ${code}`}`))));
  });
  return Promise.all([pipeline(source, child.stdin).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; }), exited]).then(() => undefined);
}

/** pg_dump's plain output opens with "-- PostgreSQL database dump" and, when whole, closes with "... dump complete". */
async function readPlainDump(source: Readable, checks: string[]): Promise<{ sourceVersion?: string; dumpedWith?: string }> {
  let head = '';
  let tail = '';
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
    tail = (tail + chunk.toString('latin1')).slice(-512);
  }
  if (!/^--\s*\n-- PostgreSQL database dump\s*$/m.test(head.slice(0, 200))) throw new Rejected('it is not a pg_dump plain SQL dump (no "-- PostgreSQL database dump" header)');
  if (!/-- PostgreSQL database dump complete\s*\n(?:--\s*\n)?(?:\\unrestrict \S+\s*\n)?\s*$/.test(tail)) {
    throw new Rejected('it lacks pg_dump\'s closing "-- PostgreSQL database dump complete" line: the dump is cut short');
  }
  checks.push('plain SQL dump whole (pg_dump header and closing line)');
  const from = /-- Dumped from database version (\S+)/.exec(head)?.[1];
  const by = /-- Dumped by pg_dump version (\S+)/.exec(head)?.[1];
  return { ...(from ? { sourceVersion: `PostgreSQL ${from}` } : {}), ...(by ? { dumpedWith: `pg_dump (PostgreSQL) ${by}` } : {}) };
}
