/**
 * Reading a stored artifact while proving it is the one the manifest describes: size and SHA-256 are checked
 * as the bytes pass, and the stream fails at its end (instead of ending) when they differ, so nothing
 * downstream (pg_restore, an import, Qdrant's upload) ever sees a clean end of the wrong bytes.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { PermanentError, storedEncoding, type ArtifactRecord } from '../engines/engine';
import { httpStatus, type ObjectStore } from './s3';

export interface VerifiedRead {
  stream: Readable;
  /** true once every stored byte was read and matched */
  readonly verified: boolean;
}

export async function readVerified(store: ObjectStore, artifact: ArtifactRecord, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<VerifiedRead> {
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
  const encoding = storedEncoding(artifact);
  if (encoding) {
    const decompress = encoding === 'zstd' ? createZstdDecompress() : createGunzip();
    check.on('error', (err) => decompress.destroy(err));
    stream = check.pipe(decompress);
  }
  return { stream, get verified() { return verified; } };
}

/** Reads an object to its end through readVerified, discarding the bytes: the check alone. */
export async function verifyWhole(store: ObjectStore, artifact: ArtifactRecord, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  const { stream } = await readVerified(store, { ...artifact, compressed: false }, signal, onBytes);
  for await (const chunk of stream) void chunk;
}
