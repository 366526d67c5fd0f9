/**
 * A multipart upload over a fixed pool of part buffers: memory is (queueSize + 1) x partSize, exactly, however
 * large the stream. (lib-storage's Upload copies each part and leaves finished parts to the garbage collector,
 * which measured about three times its nominal footprint.) The object appears only on completion; any failure
 * aborts the upload, so no partial object is ever visible.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand,
  UploadPartCommand, type ObjectLockMode, type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

const MAX_PARTS = 10_000;

export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  key: string;
  contentType: string;
  partSize: number;
  queueSize: number;
  signal?: AbortSignal;
  /** S3 Object Lock retention for the object (storage/object-lock.ts) */
  retention?: { ObjectLockMode?: ObjectLockMode; ObjectLockRetainUntilDate?: Date };
}

export async function uploadStream(t: MultipartTarget, body: Readable): Promise<void> {
  const { client, bucket: Bucket, key: Key, signal } = t;
  const free: Buffer[] = [];
  const inflight = new Set<Promise<void>>();
  const parts: { PartNumber: number; ETag: string }[] = [];
  let failure: unknown;
  let uploadId: string | undefined;
  let buffer: Buffer = Buffer.allocUnsafeSlow(t.partSize);
  let partCount = 0;
  let filled = 0;

  const send = async (part: Buffer, length: number) => {
    const PartNumber = ++partCount;
    if (PartNumber > MAX_PARTS) {
      throw new Error(`the stream for ${Key} is larger than ${MAX_PARTS} parts of ${t.partSize / 1048576} MiB; raise S3_PART_SIZE_MB`);
    }
    uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: t.contentType, ...t.retention }), { abortSignal: signal })).UploadId!;
    const upload = client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: part.subarray(0, length), ContentLength: length }), { abortSignal: signal })
      .then((res) => { parts.push({ PartNumber, ETag: res.ETag! }); free.push(part); })
      .catch((err: unknown) => { failure ??= err; })
      .finally(() => inflight.delete(upload));
    inflight.add(upload);
    while (inflight.size >= t.queueSize) await Promise.race(inflight);
    if (failure) throw failure;
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length;) {
        const n = Math.min(chunk.length - offset, t.partSize - filled);
        chunk.copy(buffer, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === t.partSize) {
          await send(buffer, filled);
          buffer = free.pop() ?? Buffer.allocUnsafeSlow(t.partSize);
          filled = 0;
        }
      }
    }
    if (!uploadId) {
      // Smaller than one part: a single PUT, atomic by nature.
      await client.send(new PutObjectCommand({ Bucket, Key, Body: buffer.subarray(0, filled), ContentType: t.contentType, ...t.retention }), { abortSignal: signal });
      return;
    }
    if (filled > 0) await send(buffer, filled);
    await Promise.all(inflight);
    if (failure) throw failure;
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
  } catch (err) {
    await Promise.allSettled(inflight);
    if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}
