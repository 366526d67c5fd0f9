/**
 * Recording a restore or drill report: the bucket first (it outlives the catalog, and `cairn catalog rebuild`
 * reads it back), then the catalog's history table when it answers. A catalog that does not answer is reported,
 * not fatal: the metadata database may be the very one being recovered.
 */
import type { Pool } from 'pg';
import type { Catalog } from '../catalog/catalog';
import type { BackupStore } from '../storage/store';

export async function recordReport<R>(
  store: BackupStore, catalog: Catalog, key: string, report: R, table: string, upsert: (pool: Pool, report: R, key: string) => Promise<unknown>,
): Promise<{ reportKey: string; catalogError?: string }> {
  await store.putText(key, JSON.stringify(report, null, 2) + '\n', 'application/json');
  try {
    await catalog.migrate();
    await upsert(catalog.pool, report, key);
    return { reportKey: key };
  } catch (err) {
    return { reportKey: key, catalogError: `${table} not updated (the catalog did not answer: ${(err as Error).message}); cairn catalog rebuild will add it from ${key}` };
  }
}
