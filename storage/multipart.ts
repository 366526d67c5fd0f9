/**
 * A multipart upload over a fixed pool of part buffers: memory is (queueSize + 1) x partSize, exactly, however
 * large the stream. (lib-storage's Upload copies each part and leaves finished parts to the garbage collector,
 * which measured about three times its nominal footprint.) The object appears only on completion; any failure
 * aborts the upload, so no partial object is ever visible.
 *
 * Integrity in transit: every part (or the single PUT) carries its SHA-256 (x-amz-checksum-sha256), which the
 * store verifies on receipt and refuses on mismatch (BadDigest); after completion the store's size and composite
 * checksum (the SHA-256 of the parts' SHA-256s, "-N") are read back with a HEAD and compared with what was sent.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand,
  UploadPartCommand, type ObjectLockMode, type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
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

/** What the store confirmed about the object it now holds. */
export interface UploadReceipt {
  /** checks the store made or reported, in words for the manifest */
  checks: string[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

export async function uploadStream(t: MultipartTarget, body: Readable): Promise<UploadReceipt> {
  const { client, bucket: Bucket, key: Key, signal } = t;
  const free: Buffer[] = [];
  const inflight = new Set<Promise<void>>();
  const parts: { PartNumber: number; ETag: string; ChecksumSHA256: string }[] = [];
  const digests: Buffer[] = [];
  let total = 0;
  let failure: unknown;
  let uploadId: string | undefined;
  let buffer: Buffer = Buffer.allocUnsafeSlow(t.partSize);
  let partCount = 0;
  let filled = 0;

  const send = async (part: Buffer, length: number) => {
    // Up to queueSize parts in flight while the next one fills: waiting for a free slot only now, when a part is
    // ready, keeps the stream (and pg_dump behind it) flowing during uploads. (Waiting after each send stalled the
    // source for every part's round trip: little on a local MinIO, most of an upload's time on a distant store.)
    while (inflight.size >= t.queueSize) await Promise.race(inflight);
    if (failure) throw failure;
    const PartNumber = ++partCount;
    if (PartNumber > MAX_PARTS) {
      throw new Error(`the stream for ${Key} is larger than ${MAX_PARTS} parts of ${t.partSize / 1048576} MiB; raise S3_PART_SIZE_MB`);
    }
    uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: t.contentType, ChecksumAlgorithm: 'SHA256', ...t.retention }), { abortSignal: signal })).UploadId!;
    const body = part.subarray(0, length);
    const digest = sha256(body);
    digests[PartNumber - 1] = digest;
    total += length;
    const ChecksumSHA256 = digest.toString('base64');
    const upload = client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: length, ChecksumSHA256 }), { abortSignal: signal })
      .then((res) => { parts.push({ PartNumber, ETag: res.ETag!, ChecksumSHA256 }); free.push(part); })
      .catch((err: unknown) => { failure ??= err; })
      .finally(() => inflight.delete(upload));
    inflight.add(upload);
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
      const whole = buffer.subarray(0, filled);
      const checksum = sha256(whole).toString('base64');
      await client.send(new PutObjectCommand({ Bucket, Key, Body: whole, ContentType: t.contentType, ChecksumSHA256: checksum, ...t.retention }), { abortSignal: signal });
      return await confirm(t, filled, checksum, 'the object');
    }
    if (filled > 0) await send(buffer, filled);
    await Promise.all(inflight);
    if (failure) throw failure;
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
    return await confirm(t, total, `${sha256(Buffer.concat(digests)).toString('base64')}-${digests.length}`, `each of ${digests.length} part(s)`);
  } catch (err) {
    await Promise.allSettled(inflight);
    if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}

/**
 * The store's own account of the completed object: its size and the checksum it computed from what it received.
 * A mismatch is not retried into a backup: the caller's failure path removes the object.
 */
async function confirm(t: MultipartTarget, size: number, checksum: string, what: string): Promise<UploadReceipt> {
  const head = await t.client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: t.key, ChecksumMode: 'ENABLED' }), { abortSignal: t.signal });
  if (head.ContentLength !== size) throw new Error(`the store holds ${head.ContentLength} bytes of ${t.key}, ${size} were sent`);
  if (head.ChecksumSHA256 === undefined) {
    throw new Error(`the store reports no SHA-256 checksum for ${t.key} although ${what} was sent with one: it cannot prove what it received; set CAIRN_VERIFY=readback`);
  }
  if (head.ChecksumSHA256 !== checksum) throw new Error(`the store's SHA-256 checksum of ${t.key} is ${head.ChecksumSHA256}, the parts sent make ${checksum}`);
  return { checks: [`sha256 of ${what} verified by the store on receipt`, `size (${size} bytes) and SHA-256 ${checksum.includes('-') ? 'composite ' : ''}checksum reported by the store match what was sent`] };
}
