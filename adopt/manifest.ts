/**
 * The manifest `cairn adopt` writes beside a legacy archive: a version-2 manifest whose one artifact is the
 * archive where it lies (never moved or rewritten), with `adopted` saying what it was and how it was checked.
 * Counts and proof stay empty: the legacy services recorded none.
 */
import type { Target } from '../config/types';
import type { ArtifactRecord } from '../engines/engine';
import { KIND_SNAPSHOT } from '../engines/qdrant/artifacts';
import { MANIFEST_FORMAT, type Manifest } from '../storage/format/manifest';
import type { LegacyArchive } from './layouts';
import type { Verified } from './verify';

export const ADOPT_WORKFLOW_ID = 'cairn-adopt';

/** `<folder of the archive>/<backupId>.manifest.json`: beside the archive, so it is found with it. */
export function adoptedManifestKey(archiveKey: string, backupId: string): string {
  const slash = archiveKey.lastIndexOf('/');
  return `${slash >= 0 ? archiveKey.slice(0, slash + 1) : ''}${backupId}.manifest.json`;
}

export function adoptedManifest(a: LegacyArchive, v: Verified, target: Target, backupId: string, collection: string | undefined, now: Date): Manifest {
  const meta: Record<string, unknown> = { format: v.format };
  if (v.format === 'qdrant-snapshot') {
    // What the Qdrant engine's restore reads; point counts are absent: the legacy service recorded none.
    Object.assign(meta, {
      kind: KIND_SNAPSHOT, collection, snapshotName: a.key.slice(a.key.lastIndexOf('/') + 1),
      qdrantChecksum: null, qdrantSize: v.sizeBytes, creationTime: a.takenAt.toISOString(),
    });
  }
  const artifact: ArtifactRecord & { sidecarKey: string } = {
    part: v.format === 'qdrant-snapshot' ? collection! : '',
    key: a.key, sizeBytes: v.sizeBytes, sha256: v.sha256,
    // gzip on a plain script is undone by the verified read; a custom dump or snapshot is read as it is.
    compressed: a.gzip, ...(a.gzip ? { encoding: 'gzip' as const } : {}),
    meta,
    sidecarKey: a.sidecarKey ?? '',
  };
  return {
    format: MANIFEST_FORMAT, version: 2, backupId, type: a.type, target: target.name, workflowId: ADOPT_WORKFLOW_ID,
    createdAt: a.takenAt.toISOString(), sourceVersion: v.sourceVersion ?? 'unknown (not recorded by the legacy service)',
    consistency: { adopted: true, ...(v.dumpedWith ? { dumpedWith: v.dumpedWith } : {}) },
    counts: {}, artifacts: [artifact], totalSizeBytes: v.sizeBytes, checksum: v.sha256,
    durations: { dumpMs: 0, validateMs: 0, totalMs: 0 },
    validation: { checkedAt: now.toISOString(), checks: v.checks },
    adopted: {
      from: a.from, key: a.key, format: v.format, verified: v.checks, adoptedAt: now.toISOString(), ...(a.legacyId ? { legacyId: a.legacyId } : {}),
    },
  };
}
