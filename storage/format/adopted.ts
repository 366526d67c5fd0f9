/**
 * What a manifest says about a backup Cairn adopted rather than took (`cairn adopt`): the archive a legacy
 * deployment left, where it still lies, and what was verified. Engines read `adoptedFormat` to choose the
 * restore path that fits the archive's format.
 */
import type { Manifest } from './manifest';

/** The archive formats the legacy deployments wrote; each has its own restore path (or none, said plainly). */
export const LEGACY_FORMATS = ['pg-custom', 'pg-plain-sql', 'neo4j-cypher-script', 'neo4j-admin-dump', 'qdrant-snapshot'] as const;
export type LegacyFormat = (typeof LEGACY_FORMATS)[number];

export const DEPLOYMENTS = ['ai-platform', 'clara', 'agentic', 'neo4j-r2'] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];

export interface AdoptedInfo {
  /** the deployment whose layout the archive was found in */
  from: Deployment;
  /** the archive's key, left where it was (the artifact points at it too) */
  key: string;
  format: LegacyFormat;
  /** what was checked before adopting, in words (sidecar checksum, whole gzip stream, readable archive...) */
  verified: string[];
  /** the legacy service's own name for it (the AI platform's backup_history.backup_id), when it had one */
  legacyId?: string;
  adoptedAt: string;
}

/** The legacy format of an adopted backup; undefined for Cairn's own backups. */
export function adoptedFormat(manifest: Pick<Manifest, 'adopted'>): LegacyFormat | undefined {
  return manifest.adopted?.format;
}

/** Refuses an `adopted` block a reader could not act on. */
export function checkAdopted(a: unknown, key: string): void {
  const o = a as Partial<AdoptedInfo> | null;
  if (typeof o !== 'object' || o === null || typeof o.key !== 'string' || !LEGACY_FORMATS.includes(o.format as LegacyFormat)
    || !DEPLOYMENTS.includes(o.from as Deployment) || !Array.isArray(o.verified)) {
    throw new Error(`${key} has an 'adopted' block without from, key, a known format and verified: not a whole manifest`);
  }
}
