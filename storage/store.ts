/**
 * Where backups are kept: an S3-compatible bucket (storage/s3.ts, ObjectStore) or a directory on a local or
 * mounted disk (storage/fs-store.ts, FileStore). Callers use only this interface; storage/open-store.ts chooses
 * one from the configuration. Keys are '/'-separated and relative to the configured prefix.
 *
 * Both keep the same promise: an object is visible under its key only once it is complete, so a reader never
 * sees a partial one, and writing a key again replaces it whole. A key that does not exist is reported by
 * throwing an error with name 'NoSuchKey' and HTTP status 404 (httpStatus() in storage/s3.ts), as S3 does.
 */
import type { Readable } from 'node:stream';
import type { UploadReceipt } from './multipart';

/** What a store can do, declared (as restic's backends do) so callers and tests need not guess from its class. */
export interface StoreCapabilities {
  /** writing an existing key replaces it in one step: a reader sees the old object or the new one, never a mix */
  atomicReplace: boolean;
  /** large uploads go in parts that exist, unfinished, outside the key until completed (abortStaleUploads clears them) */
  multipartUploads: boolean;
}

export interface StoredObject { key: string; size: number; modified: Date }
export interface PendingUpload { key: string; uploadId: string; initiated: Date }

export interface BackupStore {
  readonly capabilities: StoreCapabilities;
  /** a person's name for where the store is, e.g. 'bucket backups at http://minio:9000' or 'directory /backups' */
  readonly location: string;
  /** Creates the bucket or directory when missing and allowed; returns whether it had to be created. */
  ensureBucket(): Promise<boolean>;
  /**
   * Streams `body` to `key`; the object appears only when complete, a failed upload leaves nothing under `key`.
   * A store that verifies what it received (S3 checksums) says so in a receipt; one that does not returns none.
   */
  upload(key: string, body: Readable, contentType: string, signal?: AbortSignal): Promise<UploadReceipt | void>;
  putText(key: string, text: string, contentType: string): Promise<void>;
  getText(key: string): Promise<string>;
  open(key: string, signal?: AbortSignal): Promise<Readable>;
  /** Size in bytes, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  /** Every complete object whose key starts with `prefix`, with its size and when it was written. */
  list(prefix: string): Promise<StoredObject[]>;
  deleteAll(keys: string[]): Promise<void>;
  /** Removes what unfinished uploads under `prefix` left behind (a killed worker's); returns how many. */
  abortStaleUploads(prefix: string): Promise<number>;
  /** Unfinished uploads under `prefix` (multipart uploads, or a directory store's temporary files). */
  pendingUploads(prefix: string): Promise<PendingUpload[]>;
  abortUpload(u: Pick<PendingUpload, 'key' | 'uploadId'>): Promise<void>;
  /** Copies an object to another key (whole, atomically visible like any write). */
  copy(from: string, to: string, sizeBytes: number): Promise<void>;
  destroy(): void;
}

/** The not-found error both stores throw, in S3's words so existing checks (httpStatus 404, NoSuchKey) hold. */
export function noSuchKey(key: string): Error {
  const err = new Error(`no object ${key}`) as Error & { $metadata: { httpStatusCode: number } };
  err.name = 'NoSuchKey';
  err.$metadata = { httpStatusCode: 404 };
  return err;
}
