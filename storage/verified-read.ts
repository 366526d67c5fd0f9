/**
 * Reading a stored artifact while proving it is the one the manifest describes: size and SHA-256 are checked
 * as the bytes pass, and the stream fails at its end (instead of ending) when they differ, so nothing
 * downstream (pg_restore, an import, Qdrant's upload) ever sees a clean end of the wrong bytes.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Identity } from '../crypto/age';
import { PermanentError, type ArtifactRecord } from '../engines/engine';
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
  for (const stage of [decrypt, artifact.compressed ? createGunzip() : undefined]) {
    if (!stage) continue;
    stream.on('error', (err) => stage.destroy(err));
    stream = stream.pipe(stage);
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
