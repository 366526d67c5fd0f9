/**
 * What every engine says about an adopted backup (storage/format/adopted.ts) where Cairn's own backups have
 * records to go by: the proof has nothing recorded to compare, and a neo4j-admin dump has no online restore.
 */
import type { Manifest } from '../storage/format/manifest';
import { checkContent } from '../adopt/verify';
import { LEGACY_FORMATS, type LegacyFormat } from '../storage/format/adopted';
import { PermanentError, type ArtifactRecord, type Engine, type ProofReport, type ReadContext } from './engine';

/** An honest proof: the legacy service recorded no counts or fingerprints, so nothing is claimed to match. */
export function adoptedProof(manifest: Manifest): ProofReport {
  const a = manifest.adopted!;
  return {
    checks: [],
    notes: [`backup ${manifest.backupId} was adopted from the ${a.from} deployment's ${a.key}, which recorded no contents `
      + `(no counts, no fingerprints): nothing was compared. What was checked: ${a.verified.join('; ')}, and the restore itself finished without error`],
  };
}

/** A neo4j-admin dump loads only into a stopped DBMS: no online restore can honour it. */
export function refuseAdminDump(manifest: Manifest): never {
  const key = manifest.adopted?.key ?? manifest.artifacts[0]?.key;
  throw new PermanentError(`backup ${manifest.backupId} is a neo4j-admin dump (${key}), which cannot be restored through a running server: `
    + 'copy the file to the Neo4j host as <database>.dump, stop the DBMS (Community) or the database, run '
    + '`neo4j-admin database load <database> --from-path=<folder> --overwrite-destination=true`, then start it again', 'Neo4jAdminDumpOffline');
}

/** The legacy format an artifact of an adopted backup holds (meta.format), or undefined for Cairn's own. */
export function artifactFormat(artifacts: ArtifactRecord[]): LegacyFormat | undefined {
  const f = artifacts[0]?.meta?.format;
  return LEGACY_FORMATS.includes(f as LegacyFormat) ? (f as LegacyFormat) : undefined;
}

/** The structural check a restore runs first, for an adopted archive: read whole (verified) as its format. */
export async function validateAdopted(artifacts: ArtifactRecord[], ctx: ReadContext): Promise<void> {
  for (const a of artifacts) {
    const format = a.meta!.format as LegacyFormat;
    await checkContent(format, await ctx.open(a), []);
  }
}

/** An engine's validate with adopted archives checked as their own format. */
export function orAdopted(validate: Engine['validate']): Engine['validate'] {
  return (artifacts, counts, ctx) => (artifactFormat(artifacts) ? validateAdopted(artifacts, ctx) : validate(artifacts, counts, ctx));
}
