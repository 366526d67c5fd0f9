/**
 * Reading a stored artifact while proving it is the one the manifest describes: size and SHA-256 are checked
 * as the bytes pass, and the stream fails at its end (instead of ending) when they differ, so nothing
 * downstream (pg_restore, an import, Qdrant's upload) ever sees a clean end of the wrong bytes.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { createGunzip } from 'node:zlib';
import type { Identity } from '../crypto/age';
import { PermanentError, storedEncoding, type ArtifactRecord } from '../engines/engine';
import { decryptor } from './encryption';
import { httpStatus } from './s3';
import type { BackupStore } from './store';

export interface VerifiedRead {
  stream: Readable;
  /** true once every stored byte was read and matched */
  readonly verified: boolean;
}

/**
 * An encrypted artifact is decrypted after the check (age authenticates every 64 KiB chunk, so altered bytes
 * fail there even before the SHA-256 at the end); `identities` must hold one it was encrypted to, or this
 * throws NoMatchingIdentity before reading anything.
 */
export async function readVerified(
  store: BackupStore, artifact: ArtifactRecord, signal?: AbortSignal, onBytes?: (n: number) => void, identities: Identity[] = [],
): Promise<VerifiedRead> {
  const decrypt = artifact.encryption ? decryptor(artifact, identities) : undefined;
  let raw: Readable;
  try {
    raw = await store.open(artifact.key, signal);
  } catch (err) {
    const name = (err as Error).name;
    if (httpStatus(err) === 404 || name === 'NoSuchKey') {
      throw new PermanentError(`stored object ${artifact.key} is missing from the bucket`, 'ObjectMissing');
    }
    throw err;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  let verified = false;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > artifact.sizeBytes) {
        done(new PermanentError(`stored object ${artifact.key} is longer than the ${artifact.sizeBytes} bytes its manifest records: it was changed after the backup`, 'ChecksumMismatch'));
        return;
      }
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest('hex');
      if (bytes !== artifact.sizeBytes) {
        done(new PermanentError(`stored object ${artifact.key} is truncated: ${bytes} bytes, its manifest records ${artifact.sizeBytes}`, 'ChecksumMismatch'));
      } else if (sha256 !== artifact.sha256) {
        done(new PermanentError(`stored object ${artifact.key} does not match its manifest: sha256 ${sha256}, expected ${artifact.sha256}`, 'ChecksumMismatch'));
      } else {
        verified = true;
        done();
      }
    },
  });
  raw.on('error', (err) => check.destroy(err));
  raw.pipe(check);
  let stream: Readable = check;
  // Decrypt first (age authenticates every chunk), then decompress what backup compressed.
  if (decrypt) {
    stream.on('error', (err) => decrypt.destroy(err));
    stream = stream.pipe(decrypt);
  }
  const encoding = storedEncoding(artifact);
  if (encoding === 'zstd') {
    stream = zstdDecompressed(stream, artifact.key, () => verified);
  } else if (encoding) {
    const gunzip = createGunzip();
    stream.on('error', (err) => gunzip.destroy(err));
    stream = stream.pipe(gunzip);
  }
  return { stream, get verified() { return verified; } };
}

/** Reads an object to its end through readVerified, discarding the bytes: the check of the stored bytes alone. */
export async function verifyWhole(store: BackupStore, artifact: ArtifactRecord, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  const asStored: ArtifactRecord = { ...artifact, compressed: false };
  delete asStored.encryption;
  const { stream } = await readVerified(store, asStored, signal, onBytes);
  for await (const chunk of stream) void chunk;
}

/**
 * `zstd -dc` in a child process: decompressing in the worker's own zlib measured ~30 MiB more worker RSS (the
 * decompressed stream's buffers fragment its malloc arenas). The output ends only once zstd exited 0 and every
 * stored byte matched: zstd stopping early on damaged bytes must not look like a clean end to the reader.
 */
function zstdDecompressed(check: Readable, key: string, isVerified: () => boolean): Readable {
  const zstd = spawn('zstd', ['-dcq', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  zstd.stderr.on('data', (d: Buffer) => { if (stderr.length < 10_000) stderr += d.toString(); });
  const fail = (err: Error) => {
    out.destroy(err);
    if (zstd.exitCode === null && zstd.signalCode === null) zstd.kill('SIGTERM');
  };
  zstd.on('error', (err) => fail(new PermanentError(`cannot decompress ${key}: could not run zstd (${err.message}); install zstd`)));
  zstd.on('close', (code, signal) => {
    const why = `${signal ?? `exit ${code}`}: ${stderr.trim() || 'no error output'}`;
    // Before every byte was checked, a zstd failure means damaged stored bytes: retrying cannot fix that.
    if (code !== 0 && !isVerified()) fail(new PermanentError(`stored object ${key} does not decompress (zstd ${why}): it is damaged or is not what its manifest records`, 'ChecksumMismatch'));
    else if (code !== 0) fail(new Error(`zstd -d of ${key} failed (${why})`));
    else if (!isVerified()) fail(new PermanentError(`stored object ${key} ended before it was verified`, 'ChecksumMismatch'));
    else out.end();
  });
  check.on('error', fail);
  // A reader that stops early (pg_restore failing) must not leave zstd blocked writing.
  out.on('close', () => { if (zstd.exitCode === null && zstd.signalCode === null) zstd.kill('SIGTERM'); });
  zstd.stdin.on('error', () => undefined); // EPIPE when zstd is gone: its close reports why
  check.pipe(zstd.stdin);
  zstd.stdout.pipe(out, { end: false });
  return out;
}
