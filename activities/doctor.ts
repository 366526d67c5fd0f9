/** The checks behind `cairn doctor`. Each returns its findings instead of throwing: a broken target is a result. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { CairnConfig, Target } from '../config/types';
import type { Engine, HealthCheck } from '../engines/engine';
import type { EngineRegistry } from '../engines/registry';
import type { Catalog } from '../catalog/catalog';
import type { BackupStore } from '../storage/store';
import { ObjectStore } from '../storage/s3';
import type { DoctorSection } from './types';
import { ensureSearchAttributes } from '../client/search-attributes';
import type { ObjectLockConfig } from '../config/encryption';
import { bucketProtection } from '../storage/object-lock';
import { storageRefusalHint } from './failures';

export interface DoctorDeps {
  config: CairnConfig;
  store: BackupStore;
  catalog: Catalog;
  engines: EngineRegistry;
  temporal: Client;
}

const failed = (check: string, err: unknown, fix: string): HealthCheck => ({ check, ok: false, detail: (err as Error).message || String(err), fix });

export function doctorActivities({ config, store, catalog, engines, temporal }: DoctorDeps) {
  return {
    async checkTarget(name: string): Promise<DoctorSection> {
      const t = config.targets.find((x) => x.name === name);
      if (!t) return { name, kind: 'postgres', checks: [{ check: 'configured', ok: false, detail: `no target named '${name}'`, fix: 'check the target list in the config' }] };
      const engine = engines[t.type] as unknown as Engine<Target>;
      try {
        return { name, kind: t.type, checks: await engine.doctor(t) };
      } catch (err) {
        return { name, kind: t.type, checks: [failed('reachable', err, `check that ${t.type} target '${name}' is running and its address is right`)] };
      }
    },

    /** The bucket exists (created when allowed) and accepts a write, read and delete. */
    async checkStorage(): Promise<DoctorSection> {
      const directory = config.storage.directory;
      const name = directory ?? `${config.storage.endpoint}/${config.storage.bucket}`;
      const checks: HealthCheck[] = [];
      try {
        const created = await store.ensureBucket();
        checks.push({ check: 'bucket', ok: true, detail: `${store.location} ${created ? 'created' : 'exists'}` });
      } catch (err) {
        const fix = directory ? `check that BACKUP_DIR (${directory}) is a directory the worker can create and write to` : /credential|access key|signature|forbidden|denied/i.test(String(err)) ? storageRefusalHint(config.storage)
          : `check ${config.storage.setBy?.endpoint ?? 'MINIO_ENDPOINT'} points at a running MinIO/S3 service, and that ${config.storage.setBy?.bucket ?? 'BACKUP_BUCKET'} exists or S3_CREATE_BUCKET=true`;
        checks.push(failed('bucket', err, fix));
        return { name, kind: 'storage', checks };
      }
      const probe = `.cairn/doctor-${randomUUID()}`;
      try {
        await store.putText(probe, 'cairn doctor write probe\n', 'text/plain');
        const back = await store.getText(probe);
        await store.deleteAll([probe]);
        checks.push({ check: 'writable', ok: back.startsWith('cairn doctor'), detail: 'wrote, read back and deleted a probe object' });
      } catch (err) {
        checks.push(failed('writable', err, directory ? `give the worker's user write access to ${directory}` : `grant the access key write access to bucket '${config.storage.bucket}'`));
      }
      checks.push(store instanceof ObjectStore ? await immutabilityCheck(store, config.storage.objectLock)
        : { check: 'immutability', ok: true, detail: `${store.location} has no object lock (a directory store)` });
      return { name, kind: 'storage', checks };
    },

    async checkCatalog(): Promise<DoctorSection> {
      const m = config.metadata;
      const name = `${m.host}:${m.port}/${m.database}`;
      try {
        await catalog.migrate();
        const n = (await catalog.pool.query<{ n: string }>('SELECT count(*) AS n FROM backup_history')).rows[0]!.n;
        return { name, kind: 'catalog', checks: [{ check: 'backup_history', ok: true, detail: `migrated; ${n} backup(s) recorded` }] };
      } catch (err) {
        return { name, kind: 'catalog', checks: [failed('backup_history', err, 'check CAIRN_METADATA_* / POSTGRES_* point at a PostgreSQL database Cairn may create tables in')] };
      }
    },

    async checkTemporal(): Promise<DoctorSection> {
      const { namespace, address, taskQueue } = config.temporal;
      try {
        const ns = await temporal.workflowService.describeNamespace({ namespace });
        const days = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86400;
        const attributes = await ensureSearchAttributes(temporal, namespace).then(
          (added): HealthCheck => ({ check: 'search attributes', ok: true, detail: added.length ? `registered ${added.join(', ')}` : 'Cairn\'s search attributes are registered' }),
          (err): HealthCheck => failed('search attributes', err, 'register them with `temporal operator search-attribute create` (README, "Finding workflows")'));
        return { name: `${address}/${namespace}`, kind: 'temporal', checks: [
          { check: 'namespace', ok: true, detail: `namespace '${namespace}' reachable (history kept ${days} day(s)); worker polling '${taskQueue}'` }, attributes,
        ] };
      } catch (err) {
        return { name: `${address}/${namespace}`, kind: 'temporal', checks: [failed('namespace', err, 'check TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE')] };
      }
    },
  };
}

/** The bucket's object lock and versioning state, and whether it can honour BACKUP_LOCK_MODE. */
async function immutabilityCheck(store: ObjectStore, lock: ObjectLockConfig | undefined): Promise<HealthCheck> {
  try {
    const p = await bucketProtection(store);
    const state = `object lock ${p.objectLock ? 'enabled' : 'off'}${p.defaultRetention ? ` (default retention ${p.defaultRetention})` : ''}, versioning ${p.versioning.toLowerCase()}`;
    const writes = lock ? `; Cairn writes every object with ${lock.mode} retention of ${lock.days} day(s)` : '; Cairn sets no retention (BACKUP_LOCK_MODE unset)';
    if (lock && !p.objectLock) {
      return { check: 'immutability', ok: false, detail: `${state}, but BACKUP_LOCK_MODE is ${lock.mode}`,
        fix: `object lock can only be enabled when a bucket is created: point BACKUP_BUCKET at a lock-enabled bucket, or unset BACKUP_LOCK_MODE` };
    }
    return { check: 'immutability', ok: true, detail: state + writes };
  } catch (err) {
    return failed('immutability', err, 'grant the access key s3:GetBucketObjectLockConfiguration and s3:GetBucketVersioning');
  }
}
