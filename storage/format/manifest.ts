/**
 * A backup's manifest: `<backupId>.manifest.json` beside its artifacts, written only after validation, so its
 * presence means "a complete, verified backup". Restore, catalog rebuild and adoption read it years later:
 * see FORMAT.md in this folder. Readers accept every version listed in MANIFEST_VERSIONS.
 */
import type { TargetType } from '../../config/types';
import type { ArtifactRecord, Counts } from '../../engines/engine';
import { parseDocument } from './document';
import { checkAdopted, type AdoptedInfo } from './adopted';

export const MANIFEST_FORMAT = 'cairn-backup-manifest';
/** 1: the first release; 2 adds `proof` (content fingerprints) and `setId` (the backup set of its cycle). */
export const MANIFEST_VERSION = 2;
export const MANIFEST_VERSIONS = [1, 2] as const;

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: (typeof MANIFEST_VERSIONS)[number];
  backupId: string;
  type: TargetType;
  target: string;
  workflowId: string;
  createdAt: string;
  sourceVersion: string;
  consistency: Record<string, unknown>;
  counts: Counts;
  /** engine-specific content fingerprints, compared after a restore (absent in version 1, or when turned off) */
  proof?: Record<string, unknown>;
  /** the backup set (one backup cycle) this backup belongs to (absent in version 1) */
  setId?: string;
  artifacts: (ArtifactRecord & { sidecarKey: string })[];
  totalSizeBytes: number;
  /** sha256 of the artifact, or for several artifacts the sha256 of their sha256sum-style listing */
  checksum: string;
  durations: { dumpMs: number; validateMs: number; totalMs: number };
  validation: { checkedAt: string; checks: string[] };
  /** present when `cairn adopt` adopted a legacy deployment's archive (adopted.ts); its artifacts point at that archive */
  adopted?: AdoptedInfo;
}

/** Parses a manifest's text, refusing anything that is not a Cairn manifest of a known version. */
export function parseManifest(text: string, key: string): Manifest {
  const m = parseDocument<Manifest>(text, key, MANIFEST_FORMAT, MANIFEST_VERSIONS);
  if (typeof m.backupId !== 'string' || !Array.isArray(m.artifacts) || typeof m.type !== 'string') {
    throw new Error(`${key} lacks backupId, type or artifacts: not a whole manifest`);
  }
  if (m.adopted !== undefined) checkAdopted(m.adopted, key);
  return m;
}
