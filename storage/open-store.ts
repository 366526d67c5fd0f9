/** The one place that chooses where backups are kept: the directory BACKUP_DIR names, or else the bucket. */
import type { StorageConfig } from '../config/types';
import { FileStore } from './fs-store';
import { ObjectStore } from './s3';
import type { BackupStore } from './store';

export function openStore(config: StorageConfig): BackupStore {
  return config.directory ? new FileStore(config.directory, config.prefix, config.createBucket) : new ObjectStore(config);
}
