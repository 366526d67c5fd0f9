/** The object store's settings: endpoint, bucket, credentials and key prefix, whichever vocabulary named them. */
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

export function storageConfig(s: Settings, awsStyleStore: boolean): StorageConfig {
  const src = s.values;
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
  return {
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
