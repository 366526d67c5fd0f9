/** The object store (MinIO or any S3-compatible service): the only module that talks S3. */
import {
  AbortMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand,
  HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { StorageConfig } from '../config/types';
import { uploadStream, type UploadReceipt } from './multipart';
import { assertLockable, explainLockRefusal, retentionFor } from './object-lock';
import type { BackupStore, StoreCapabilities } from './store';

/**
 * Keys given to and returned by an ObjectStore are relative to the configured prefix (BACKUP_PREFIX), so every
 * caller (backups, manifests, listing, retention, catalog rebuild) honours it without knowing it exists.
 */
export class ObjectStore implements BackupStore {
  readonly capabilities: StoreCapabilities = { atomicReplace: true, multipartUploads: true };
  readonly client: S3Client;
  readonly bucket: string;
  readonly location: string;
  private readonly prefix: string;

  constructor(private readonly config: StorageConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.location = `bucket ${config.bucket} at ${config.endpoint}`;
    // The SDK warns that releases after January 2027 will need Node 22. The locked version runs on Node 20;
    // the notice would only clutter every CLI run an operator makes.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      // Without keys the SDK's default chain applies: IAM role, web identity, AWS_PROFILE, shared files.
      ...(config.accessKey && config.secretKey ? { credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secretKey } } : {}),
      // S3-compatible stores may reject the CRC32 checksums newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /** Creates the bucket when missing and allowed; returns whether it had to be created. */
  async ensureBucket(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      await assertLockable(this, this.config.objectLock);
      return false;
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      if (!this.config.createBucket) throw new Error(`bucket '${this.bucket}' does not exist and S3_CREATE_BUCKET is false`);
    }
    try {
      // With BACKUP_LOCK_MODE set, the bucket is created lock-enabled: the only moment that is possible.
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket, ...(this.config.objectLock ? { ObjectLockEnabledForBucket: true } : {}) }));
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
    return true;
  }

  /**
   * Streams `body` to `key` as a multipart upload. The object appears only when the upload completes;
   * a failed upload is aborted, so a partial object is never visible.
   */
  async upload(key: string, body: Readable, contentType: string, signal?: AbortSignal): Promise<UploadReceipt> {
    return uploadStream({
      client: this.client, bucket: this.bucket, key: this.full(key), contentType, signal,
      partSize: this.config.partSize, queueSize: this.config.queueSize, retention: retentionFor(this.config.objectLock),
    }, body).catch((err: unknown) => { throw explainLockRefusal(err, this.bucket, this.config.objectLock); });
  }

  async putText(key: string, text: string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: text, ContentType: contentType, ...retentionFor(this.config.objectLock) }))
      .catch((err: unknown) => { throw explainLockRefusal(err, this.bucket, this.config.objectLock); });
  }

  async getText(key: string): Promise<string> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    return res.Body!.transformToString('utf8');
  }

  async open(key: string, signal?: AbortSignal): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), { abortSignal: signal });
    return res.Body as Readable;
  }

  /** Size in bytes, or undefined when there is no such object. */
  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<{ key: string; size: number; modified: Date }[]> {
    const out: { key: string; size: number; modified: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.full(prefix), ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push({ key: this.relative(o.Key!), size: o.Size ?? 0, modified: o.LastModified ?? new Date(0) });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** One by one: MinIO may reject DeleteObjects without Content-MD5 (aws-sdk-js-v3 #6819). */
  async deleteAll(keys: string[]): Promise<void> {
    for (const key of keys) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
  }

  /** Unfinished multipart uploads under `prefix`, i.e. uploads a killed worker left behind. */
  async pendingUploads(prefix: string): Promise<{ key: string; uploadId: string; initiated: Date }[]> {
    // MinIO matches a listing's Prefix only against whole keys, so list everything and filter here.
    const out: { key: string; uploadId: string; initiated: Date }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      for (const u of page.Uploads ?? []) if (u.Key!.startsWith(this.full(prefix))) out.push({ key: this.relative(u.Key!), uploadId: u.UploadId!, initiated: u.Initiated ?? new Date(0) });
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return out;
  }

  /** Aborts the unfinished uploads under `prefix`, so their parts do not linger. */
  async abortStaleUploads(prefix: string): Promise<number> {
    const stale = await this.pendingUploads(prefix);
    for (const u of stale) await this.abortUpload(u);
    return stale.length;
  }

  async abortUpload(u: { key: string; uploadId: string }): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.full(u.key), UploadId: u.uploadId }));
  }

  /** A server-side copy when S3 allows one (up to 5 GiB); larger objects stream through as a multipart upload. */
  async copy(from: string, to: string, sizeBytes: number): Promise<void> {
    if (sizeBytes > 5 * 1024 ** 3) {
      await this.upload(to, await this.open(from), 'application/octet-stream');
      return;
    }
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.full(to), CopySource: `${this.bucket}/${encodeURIComponent(this.full(from)).replace(/%2F/g, '/')}` }));
  }

  /** The bucket's key for a key relative to the prefix. */
  full(key: string): string {
    return this.prefix + key;
  }

  private relative(bucketKey: string): string {
    return bucketKey.slice(this.prefix.length);
  }

  destroy(): void {
    this.client.destroy();
  }
}

export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
