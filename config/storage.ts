/** The store's settings: a directory (BACKUP_DIR), or endpoint, bucket and credentials; the key prefix; whichever vocabulary named them. */
import { isAbsolute } from 'node:path';
import type { StorageConfig } from './types';
import { ConfigError } from './errors';
import { bool, int, secret, stackAddress, str, url } from './read';
import type { Settings } from './settings';

function bucketName(s: Settings, name: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    throw new ConfigError(s.from('BACKUP_BUCKET'), `must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-'), got '${name}'`);
  }
  return name;
}

/**
 * BACKUP_PREFIX as a key prefix: path segments of safe characters, no '.' or '..' segment, no leading '/',
 * so nothing Cairn writes can land outside it. Returned with its trailing '/', or '' when unset.
 */
export function keyPrefix(s: Settings): string {
  const raw = s.raw('BACKUP_PREFIX');
  if (raw === undefined) return '';
  const segments = raw.replace(/\/+$/, '').split('/');
  if (segments.some((seg) => !/^[A-Za-z0-9_.-]+$/.test(seg) || seg === '.' || seg === '..')) {
    throw new ConfigError(s.from('BACKUP_PREFIX'), `must be path segments of letters, digits, '_', '-' and '.' joined by '/' (no '..', no leading '/'), got '${raw}'`);
  }
  return `${segments.join('/')}/`;
}

/** BACKUP_DIR: a directory store, which keeps backups on a local or mounted disk instead of a bucket. */
function backupDirectory(s: Settings): string | undefined {
  const dir = s.raw('BACKUP_DIR');
  if (dir === undefined) return undefined;
  if (!isAbsolute(dir)) throw new ConfigError(s.from('BACKUP_DIR'), `must be an absolute path (e.g. /backups), got '${dir}'`);
  if (s.has('BACKUP_BUCKET')) {
    throw new ConfigError(s.from('BACKUP_DIR'), `and ${s.from('BACKUP_BUCKET')} are both set, but Cairn keeps backups in one store; unset ${s.from('BACKUP_BUCKET')} to keep them in ${dir}, or BACKUP_DIR to keep them in the bucket`);
  }
  return dir;
}

export function storageConfig(s: Settings, awsStyleStore: boolean): StorageConfig {
  const src = s.values;
  const directory = backupDirectory(s);
  const region = str(src, 'S3_REGION', 'us-east-1');
  // Deployments that wrote to AWS S3 named no endpoint: theirs is the region's, reached virtual-hosted style.
  const onAws = awsStyleStore && !s.has('MINIO_ENDPOINT');
  const endpoint = onAws
    ? `https://s3.${region}.amazonaws.com`
    : url(src, 'MINIO_ENDPOINT', stackAddress(src, 'MINIO_PORT', 9000, (p) => `http://127.0.0.1:${p}`), ['http:', 'https:']);
  const hasKey = (k: string) => s.has(k) || s.has(`${k}_FILE`);
  const keys = hasKey('MINIO_ACCESS_KEY') || hasKey('MINIO_SECRET_KEY') || !awsStyleStore
    ? { accessKey: secret(src, 'MINIO_ACCESS_KEY', 'MINIO_ACCESS_KEY_FILE', 'cairn'), secretKey: secret(src, 'MINIO_SECRET_KEY', 'MINIO_SECRET_KEY_FILE', 'cairn-secret') }
    : {};
  if (awsStyleStore && hasKey('MINIO_ACCESS_KEY') !== hasKey('MINIO_SECRET_KEY')) {
    const [set, unset] = hasKey('MINIO_ACCESS_KEY') ? ['MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY'] : ['MINIO_SECRET_KEY', 'MINIO_ACCESS_KEY'];
    throw new ConfigError(s.from(set), `is set but its pair ${unset} (or the equivalent of your deployment) is not; set both, or neither to use the AWS default credential chain`);
  }
  const named = (k: string) => (s.has(`${k}_FILE`) ? s.from(`${k}_FILE`) : s.from(k));
  const setBy = {
    credentials: 'accessKey' in keys ? `${named('MINIO_ACCESS_KEY')} and ${named('MINIO_SECRET_KEY')}` : 'the AWS default credential chain (no access key is set)',
    bucket: s.from('BACKUP_BUCKET'),
    endpoint: onAws ? `${s.from('S3_REGION')} (AWS S3 in ${region})` : s.from('MINIO_ENDPOINT'),
  };
  return {
    ...(directory ? { directory } : {}),
    setBy,
    endpoint,
    region,
    bucket: bucketName(s, str(src, 'BACKUP_BUCKET', 'backups')),
    ...keys,
    prefix: keyPrefix(s),
    forcePathStyle: bool(src, 'S3_FORCE_PATH_STYLE', !onAws),
    createBucket: bool(src, 'S3_CREATE_BUCKET', true),
    partSize: int(src, 'S3_PART_SIZE_MB', 16, 5, 5120) * 1024 * 1024,
    queueSize: int(src, 'S3_UPLOAD_QUEUE_SIZE', 1, 1, 16),
  };
}
