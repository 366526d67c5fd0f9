/** A config file declaring PostgreSQL targets with their own retention, and a test config that reads it. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { CairnConfig } from '../../config/types';
import { testConfig } from './stack';

export interface RetentionTestConfig {
  config: CairnConfig;
  /** the environment a worker process or the CLI needs to see the same configuration */
  env: Record<string, string>;
}

export function retentionConfig(label: string, targets: { name: string; retention?: Record<string, unknown> }[], extraEnv: Record<string, string> = {}): RetentionTestConfig {
  const file = join(mkdtempSync(join(tmpdir(), 'cairn-retention-')), 'config.yaml');
  writeFileSync(file, stringify({
    targets: targets.map((t) => ({ type: 'postgres', name: t.name, user: 'cairn', password: process.env.POSTGRES_PASSWORD ?? 'cairn', database: t.name, ...(t.retention ? { retention: t.retention } : {}) })),
  }));
  const config = testConfig(label, { CAIRN_CONFIG: file, ...extraEnv });
  return { config, env: { CAIRN_CONFIG: file, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, BACKUP_BUCKET: config.storage.bucket, ...extraEnv } };
}
