/**
 * One pass over the data: source -> (gzip) -> (age encryption) -> SHA-256 and size -> multipart upload, with
 * back-pressure all the way, so memory stays bounded by the upload's parts whatever the database size.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Recipient } from '../crypto/age';
import type { ArtifactRecord, ArtifactSpec } from '../engines/engine';
import { AGE_EXTENSION, encryptionRecord, encryptor } from './encryption';
import { artifactKey, sidecarKey, sidecarText } from './layout';
import type { BackupStore } from './store';

/** A pass-through that hashes and counts what flows through it. */
export class Meter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  sha256 = '';
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
  override _flush(done: () => void): void {
    this.sha256 = this.hash.digest('hex');
    done();
  }
}

/** With `encryptTo` (non-empty), the stored object is an age file `<key>.age` and sizes and hashes are its own. */
export async function writeArtifact(
  store: BackupStore, backupId: string, spec: ArtifactSpec, source: Readable, signal?: AbortSignal, encryptTo: Recipient[] = [],
): Promise<ArtifactRecord> {
  const encrypted = encryptTo.length > 0;
  const key = artifactKey(backupId, spec.part, encrypted ? `${spec.extension}.${AGE_EXTENSION}` : spec.extension);
  const meter = new Meter();
  const contentType = encrypted ? 'application/octet-stream' : spec.encoded === 'zstd' ? 'application/zstd' : spec.compress ? 'application/gzip' : (spec.contentType ?? 'application/octet-stream');
  // Compression (of the plaintext) first, then encryption: ciphertext does not compress.
  const stages: (Readable | Transform)[] = [source, ...(spec.compress ? [createGzip({ level: spec.compressLevel ?? 6 })] : []), ...(encrypted ? [encryptor(encryptTo)] : []), meter];
  const encoding = spec.encoded ?? (spec.compress ? 'gzip' : undefined);
  // The upload reads meter's output; piping and uploading run together, and either failing stops both.
  const body = new PassThrough();
  const piping = pipeline([...stages, body] as unknown as [Readable, PassThrough], { signal });
  const uploading = store.upload(key, body, contentType, signal);
  try {
    await Promise.all([
      piping.catch((err) => { body.destroy(err as Error); throw err; }),
      uploading.catch((err) => { source.destroy(err as Error); body.destroy(err as Error); throw err; }),
    ]);
  } catch (err) {
    await Promise.allSettled([piping, uploading]);
    throw err;
  }
  await store.putText(sidecarKey(key), sidecarText(key, meter.sha256), 'text/plain');
  return {
    part: spec.part, key, sizeBytes: meter.bytes, sha256: meter.sha256, compressed: encoding !== undefined,
    ...(encoding && encoding !== 'gzip' ? { encoding } : {}), ...(spec.meta ? { meta: spec.meta } : {}),
    ...(encrypted ? { encryption: encryptionRecord(encryptTo) } : {}),
  };
}
