/** Engine-level PostgreSQL backups for restore tests: a backup into local files, and the manifest the lead's commit step would write. */
import type { PostgresTarget } from '../../config/types';
import type { Destination, EngineBackupResult } from '../../engines/engine';
import { postgresEngine } from '../../engines/postgres';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest } from '../../storage/format/manifest';
import { FileArtifacts } from './file-artifacts';
import { adminTarget, query } from './pg';

export function manifestOf(target: PostgresTarget, result: EngineBackupResult): Manifest {
  const backupId = `postgres_${target.name}_20261121_101500`;
  return {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, backupId, type: 'postgres', target: target.name, workflowId: 'test',
    createdAt: new Date().toISOString(), sourceVersion: result.sourceVersion, consistency: result.consistency, counts: result.counts,
    ...(result.proof ? { proof: result.proof } : {}),
    artifacts: result.artifacts.map((a) => ({ ...a, sidecarKey: `${a.key}.sha256` })),
    totalSizeBytes: result.artifacts.reduce((n, a) => n + a.sizeBytes, 0), checksum: result.artifacts[0]!.sha256,
    durations: { dumpMs: 0, validateMs: 0, totalMs: 0 }, validation: { checkedAt: new Date().toISOString(), checks: [] },
  };
}

/** Backs `target` up into a fresh local sink; returns the sink (for restores) and the manifest. */
export async function backUp(target: PostgresTarget, label: string): Promise<{ files: FileArtifacts; manifest: Manifest }> {
  const files = await FileArtifacts.create(label);
  const result = await postgresEngine.backup(target, files.backup);
  return { files, manifest: manifestOf(target, result) };
}

export function restoreDestination(source: PostgresTarget, manifest: Manifest, stamp: string, into?: string): Destination<PostgresTarget> {
  return postgresEngine.destination({ source, manifest, stamp, purpose: 'restore', targets: [source], ...(into !== undefined ? { into } : {}) });
}

export async function databasesLike(prefix: string): Promise<string[]> {
  const rows = await query<{ d: string }>(adminTarget(), `SELECT datname AS d FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1`, [prefix]);
  return rows.map((r) => r.d);
}

/** Large objects by oid with an md5 of their bytes: the test fingerprint in pg.ts covers tables and sequences only. */
export async function largeObjects(target: PostgresTarget): Promise<Record<string, string>> {
  const rows = await query<{ o: string; h: string }>(target, 'SELECT oid::text AS o, md5(lo_get(oid)) AS h FROM pg_largeobject_metadata ORDER BY oid');
  return Object.fromEntries(rows.map((r) => [r.o, r.h]));
}
