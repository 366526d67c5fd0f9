/**
 * Benchmark: what age encryption costs a backup, as ratios against the unencrypted path measured in the same run.
 *
 *   npm run bench:encryption [-- --size-mb 256 --rounds 3 --no-store]
 *
 * 1. Through the local stack's MinIO (a bucket of its own, removed after): writeArtifact and readVerified, with
 *    and without encryption, i.e. what dumpTarget and a restore actually do; with the process's peak RSS.
 * 2. In memory: the stream through SHA-256 alone (the unencrypted write path's own work) against encrypt +
 *    SHA-256, and verified read against decrypt + verify.
 * Rounds alternate plain and encrypted runs and keep each one's best, since the machine is shared. Data is
 * random (incompressible), so gzip is left out: it would dominate both sides equally.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { decryptStream, encryptStream, generateIdentity, x25519Identity, x25519Recipient } from '../crypto/age';
import { loadConfig } from '../config/load';
import { writeArtifact } from '../storage/artifacts';
import { readVerified } from '../storage/verified-read';
import { ObjectStore } from '../storage/s3';

const MiB = 1024 * 1024;
const { values: opts } = parseArgs({ options: {
  'size-mb': { type: 'string', default: process.env.BENCH_SIZE_MB ?? '256' },
  rounds: { type: 'string', default: '3' },
  'no-store': { type: 'boolean', default: false },
} });
const sizeMb = Number(opts['size-mb']);
const rounds = Number(opts.rounds);
const keys = generateIdentity();
const recipients = [x25519Recipient(keys.recipient)];
const identities = [x25519Identity(keys.identity)];
const block = randomBytes(MiB);

/** sizeMb MiB of data in 1 MiB pieces, each distinct in its first bytes. */
function source(): Readable {
  let i = 0;
  return new Readable({ read() { this.push(i < sizeMb ? Buffer.concat([Buffer.from(String(i++).padStart(16)), block.subarray(16)]) : null); } });
}
const hashSink = () => { const h = createHash('sha256'); return new Writable({ write(c: Buffer, _e, done) { h.update(c); done(); } }); };

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

async function timed(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function best(label: string, work: () => Promise<void>, results: Map<string, number>) {
  const seconds = await timed(work);
  results.set(label, Math.min(results.get(label) ?? Infinity, seconds));
}

function report(title: string, results: Map<string, number>, pairs: [string, string][]) {
  console.log(`\n${title} (${sizeMb} MiB, best of ${rounds})`);
  for (const [label, s] of results) console.log(`  ${label.padEnd(40)} ${(sizeMb / s).toFixed(1).padStart(8)} MiB/s`);
  for (const [plain, enc] of pairs) console.log(`  ratio ${enc} / ${plain}: ${(results.get(plain)! / results.get(enc)!).toFixed(2)}x the throughput`);
}

async function inMemory() {
  const results = new Map<string, number>();
  const sealed: Buffer[] = [];
  await pipeline(source(), encryptStream(recipients), new Writable({ write(c: Buffer, _e, done) { sealed.push(c); done(); } }));
  for (let r = 0; r < rounds; r++) {
    await best('sha256 only (unencrypted write)', () => pipeline(source(), hashSink()), results);
    await best('encrypt + sha256 (encrypted write)', () => pipeline(source(), encryptStream(recipients), hashSink()), results);
    await best('decrypt + sha256 (encrypted read)', () => pipeline(Readable.from(sealed), decryptStream(identities), hashSink()), results);
  }
  report('In memory', results, [['sha256 only (unencrypted write)', 'encrypt + sha256 (encrypted write)'], ['sha256 only (unencrypted write)', 'decrypt + sha256 (encrypted read)']]);
}

async function throughStore() {
  const config = loadConfig({ ...process.env, CAIRN_TARGET_TYPES: 'postgres', BACKUP_BUCKET: `bench-encryption-${randomUUID().slice(0, 8)}` });
  const store = new ObjectStore(config.storage);
  await store.ensureBucket();
  const results = new Map<string, number>();
  const spec = { part: '', extension: 'bin', compress: false };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [label, to] of [['write, plain', []], ['write, encrypted', recipients]] as const) {
        let record!: Awaited<ReturnType<typeof writeArtifact>>;
        await best(label, async () => { record = await writeArtifact(store, `postgres_bench_20260101_00000${r}`, spec, source(), undefined, [...to]); }, results);
        await best(label.replace('write', 'verified read'), async () => {
          await pipeline((await readVerified(store, record, undefined, undefined, identities)).stream, new Writable({ write(_c, _e, done) { done(); } }));
        }, results);
        await store.deleteAll((await store.list('')).map((o) => o.key));
      }
    }
  } finally {
    await store.deleteAll((await store.list('')).map((o) => o.key));
    await store.client.send(new DeleteBucketCommand({ Bucket: store.bucket }));
    store.destroy();
  }
  report('Through MinIO (writeArtifact / readVerified)', results, [['write, plain', 'write, encrypted'], ['verified read, plain', 'verified read, encrypted']]);
}

const config = () => ({ partMb: loadConfig({ ...process.env, CAIRN_TARGET_TYPES: 'postgres' }).storage.partSize / MiB });

async function main() {
  console.log(`age encryption benchmark: node ${process.version}, ${sizeMb} MiB per run, X25519 recipient`);
  // The store stage streams and runs first, so its peak is what a worker sees; the in-memory stage then holds
  // one encrypted copy of the data to decrypt, which would otherwise inflate the peak for the rest of the run.
  if (!opts['no-store']) {
    await throughStore();
    reportPeak();
  }
  await inMemory();
}

function reportPeak() {
  console.log(`\npeak RSS while writing and reading through MinIO: ${(peakRss / MiB).toFixed(0)} MiB for ${sizeMb} MiB objects (S3_PART_SIZE_MB ${config().partMb} x (queue + 1) part buffers)`);
}

main().then(() => clearInterval(sampler)).catch((err) => { console.error(err); process.exit(2); });
