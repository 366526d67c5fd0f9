/**
 * S3 Object Lock: backups written with a retention date nobody, Cairn included, can delete them before.
 * Lock can only be enabled when a bucket is created (it turns versioning on). A delete of a locked object
 * is refused by the store; ObjectLockedError is how Cairn reports it, so pruning can say it kept a backup.
 */
import {
  DeleteObjectCommand, GetBucketVersioningCommand, GetObjectLockConfigurationCommand, HeadObjectCommand,
  ListObjectVersionsCommand, type ObjectLockMode,
} from '@aws-sdk/client-s3';
import type { ObjectLockConfig } from '../config/encryption';
import { PermanentError } from '../engines/engine';
import { httpStatus, type ObjectStore } from './s3';

/** A store-level refusal: the object is under retention until `until`. */
export class ObjectLockedError extends Error {
  constructor(readonly key: string, readonly until: Date, readonly mode: string) {
    super(`${key} is under S3 Object Lock (${mode}) until ${until.toISOString()}`);
    this.name = 'ObjectLocked';
  }

  /** How pruning reports a backup it kept: 'ObjectLocked until <ISO date>'. */
  get reason(): string {
    return `ObjectLocked until ${this.until.toISOString()}`;
  }
}

/** The retention headers for an object written now. */
export function retentionFor(lock: ObjectLockConfig | undefined, now = new Date()): { ObjectLockMode?: ObjectLockMode; ObjectLockRetainUntilDate?: Date } {
  if (!lock) return {};
  return { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: new Date(now.getTime() + lock.days * 86_400_000) };
}

export interface BucketProtection {
  objectLock: boolean;
  /** the bucket's own default retention, when it has one, e.g. 'GOVERNANCE 30 days' */
  defaultRetention?: string;
  versioning: 'Enabled' | 'Suspended' | 'Off';
}

export async function bucketProtection(store: ObjectStore): Promise<BucketProtection> {
  const versioning = (await store.client.send(new GetBucketVersioningCommand({ Bucket: store.bucket }))).Status ?? 'Off';
  try {
    const conf = (await store.client.send(new GetObjectLockConfigurationCommand({ Bucket: store.bucket }))).ObjectLockConfiguration;
    const rule = conf?.Rule?.DefaultRetention;
    const period = rule ? `${rule.Mode} ${rule.Days ? `${rule.Days} days` : `${rule.Years} years`}` : undefined;
    return { objectLock: conf?.ObjectLockEnabled === 'Enabled', versioning, ...(period ? { defaultRetention: period } : {}) };
  } catch (err) {
    if (httpStatus(err) === 404 || (err as Error).name === 'ObjectLockConfigurationNotFoundError') return { objectLock: false, versioning };
    throw err;
  }
}

/** Refuses lock settings the bucket cannot honour, naming the variable. */
export async function assertLockable(store: ObjectStore, lock: ObjectLockConfig | undefined): Promise<void> {
  if (!lock) return;
  if ((await bucketProtection(store)).objectLock) return;
  throw lockUnavailable(store.bucket, lock);
}

export function lockUnavailable(bucket: string, lock: ObjectLockConfig): PermanentError {
  return new PermanentError(`BACKUP_LOCK_MODE is ${lock.mode}, but bucket '${bucket}' has no S3 Object Lock (it can only be enabled when a bucket `
    + 'is created): use a bucket created with object lock (Cairn creates one when S3_CREATE_BUCKET=true and the bucket is missing), or unset BACKUP_LOCK_MODE', 'ObjectLockUnavailable');
}

/** The store's answer to a retention header on a bucket without object lock, as the error naming the setting. */
export function explainLockRefusal(err: unknown, bucket: string, lock: ObjectLockConfig | undefined): unknown {
  return lock && /ObjectLockConfiguration|object lock/i.test((err as Error)?.message ?? '') ? lockUnavailable(bucket, lock) : err;
}

/** The latest retention still in force among `keys`, or undefined when none is locked now. */
export async function lockedUntil(store: ObjectStore, keys: string[], now = new Date()): Promise<ObjectLockedError | undefined> {
  let latest: ObjectLockedError | undefined;
  for (const key of keys) {
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: store.full(key) }));
    const until = head.ObjectLockRetainUntilDate;
    if (until && until > now && (!latest || until > latest.until)) latest = new ObjectLockedError(key, until, head.ObjectLockMode ?? 'unknown');
    if (head.ObjectLockLegalHoldStatus === 'ON') return new ObjectLockedError(key, new Date(8.64e15), 'legal hold');
  }
  return latest;
}

/**
 * Deletes every version of each key (relative to BACKUP_PREFIX, as every ObjectStore key), so a versioned bucket keeps nothing behind a delete marker. A version
 * under retention makes this throw ObjectLockedError (the store refuses it; what was deleted before stays deleted,
 * so call lockedUntil first).
 */
export async function deleteForever(store: ObjectStore, keys: string[]): Promise<void> {
  for (const key of keys) {
    const full = store.full(key);
    const listing = await store.client.send(new ListObjectVersionsCommand({ Bucket: store.bucket, Prefix: full }));
    const versions = [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])].filter((v) => v.Key === full);
    for (const v of versions) {
      try {
        await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: full, VersionId: v.VersionId }));
      } catch (err) {
        // MinIO answers 400 "Object is WORM protected", AWS 403 AccessDenied: either way the lock refused it.
        const locked = await lockedUntil(store, [key]).catch(() => undefined);
        if (locked) throw locked;
        throw err;
      }
    }
  }
}
