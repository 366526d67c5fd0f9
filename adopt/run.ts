/**
 * `cairn adopt`: finds the archives legacy deployments left in the store, verifies each, writes a Cairn
 * manifest beside it and records it in backup_history. Idempotent: an archive with a manifest beside it that
 * names it is adopted already (its row is re-made if missing, nothing else). A dry run reads and verifies
 * but writes nothing.
 */
import type { Catalog } from '../catalog/catalog';
import type { Target } from '../config/types';
import { parseManifest, type Manifest } from '../storage/format/manifest';
import { backupIdFor, manifestKey } from '../storage/layout';
import type { BackupStore } from '../storage/store';
import { recognise, type LegacyArchive } from './layouts';
import { adoptedManifest, adoptedManifestKey } from './manifest';
import { legacyRow, recordAdopted } from './record';
import { legacyName, resolveTarget, snapshotCollection, type AdoptChoices } from './targets';
import { Rejected, sidecarChecksum, verifyArchive, type Expected } from './verify';

export interface AdoptedEntry { key: string; from: string; backupId: string; target: string; format: string; verified: string[]; row?: string }
export interface AdoptReport {
  dryRun: boolean;
  adopted: AdoptedEntry[];
  /** adopted by an earlier run (a manifest beside the archive names it) */
  already: { key: string; backupId: string }[];
  rejected: { key: string; from: string; reason: string }[];
}

const dirOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1);

export async function adoptArchives(store: BackupStore, catalog: Catalog, targets: Target[], choices: AdoptChoices & { dryRun: boolean }): Promise<AdoptReport> {
  await catalog.migrate();
  const report: AdoptReport = { dryRun: choices.dryRun, adopted: [], already: [], rejected: [] };
  const keys = (await store.list('')).map((o) => o.key);
  const archives = keys.map(recognise).filter((a): a is LegacyArchive => a !== undefined).sort((x, y) => (x.key < y.key ? -1 : 1));
  unusedChoices(archives, choices);
  const adoptedBefore = await manifestsBeside(store, keys, new Set(archives.map((a) => dirOf(a.key))));
  const taken = new Set<string>();
  const collections = new Map<string, string[]>();

  for (const a of archives) {
    const before = adoptedBefore.get(a.key);
    if (before) {
      if (!choices.dryRun) await recordAdopted(catalog.pool, before.manifest, before.key);
      report.already.push({ key: a.key, backupId: before.manifest.backupId });
      continue;
    }
    const reject = (reason: string) => report.rejected.push({ key: a.key, from: a.from, reason });
    const target = resolveTarget(a, targets, choices);
    if (typeof target === 'string') { reject(target); continue; }
    try {
      const collection = a.format === 'qdrant-snapshot' ? await snapshotCollection(target, choices, collections) : undefined;
      const expected: Expected[] = [];
      if (a.sidecarKey) expected.push(await sidecarChecksum(store, a));
      const legacy = await legacyRow(catalog.pool, a.type, a.legacyId);
      if (legacy && legacy.status !== 'success') throw new Rejected(`the AI platform recorded it as ${legacy.status}${legacy.error_message ? ` (${legacy.error_message})` : ''}`);
      if (legacy?.checksum) expected.push({ sha256: legacy.checksum.toLowerCase(), from: `backup_history row ${a.legacyId}` });
      const verified = await verifyArchive(store, a, expected);
      const backupId = await freeId(store, catalog, a, target.name, taken);
      const manifest = adoptedManifest(a, verified, target, backupId, collection, new Date());
      const entry: AdoptedEntry = { key: a.key, from: a.from, backupId, target: target.name, format: verified.format, verified: verified.checks };
      if (!choices.dryRun) {
        const mKey = adoptedManifestKey(a.key, backupId);
        // The manifest first: it is what says "adopted"; the row follows (a re-run re-makes a missing one).
        await store.putText(mKey, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
        entry.row = await recordAdopted(catalog.pool, manifest, mKey);
      }
      report.adopted.push(entry);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      reject(err.message);
    }
  }
  return report;
}

/** A --map or --collection no archive needs is a mistake worth saying before anything is written. */
function unusedChoices(archives: LegacyArchive[], choices: AdoptChoices): void {
  const names = [...new Set(archives.map(legacyName))];
  const unused = Object.keys(choices.map).filter((n) => !names.includes(n));
  if (unused.length) {
    throw new AdoptUsageError(`--map ${unused.join(', ')}: no archive in the store is named so (archives name: ${names.join(', ') || 'none'})`);
  }
  if (choices.collection && !archives.some((a) => a.format === 'qdrant-snapshot')) {
    throw new AdoptUsageError('--collection names the collection of the AI platform\'s Qdrant snapshots, but the store holds none');
  }
}

export class AdoptUsageError extends Error {}

/** Manifests in the archives' folders, by the archive they adopted. */
async function manifestsBeside(store: BackupStore, keys: string[], dirs: Set<string>): Promise<Map<string, { manifest: Manifest; key: string }>> {
  const found = new Map<string, { manifest: Manifest; key: string }>();
  for (const key of keys.filter((k) => k.endsWith('.manifest.json') && dirs.has(dirOf(k)))) {
    let manifest: Manifest;
    try {
      manifest = parseManifest(await store.getText(key), key);
    } catch {
      continue; // not ours to judge here: catalog rebuild reports unreadable manifests
    }
    if (manifest.adopted) found.set(manifest.adopted.key, { manifest, key });
  }
  return found;
}

/**
 * `<type>_<target>_<stamp>` at the archive's own time, or the next free second: ids are unique in the catalog
 * (Cairn's own backups take the next free second the same way), and no Cairn manifest may already use it.
 */
async function freeId(store: BackupStore, catalog: Catalog, a: LegacyArchive, target: string, taken: Set<string>): Promise<string> {
  for (let offset = 0; offset < 60; offset++) {
    const id = backupIdFor(a.type, target, new Date(a.takenAt.getTime() + offset * 1000));
    if (taken.has(id) || await catalog.get(id) || await store.size(manifestKey(id)) !== undefined) continue;
    taken.add(id);
    return id;
  }
  throw new Error(`no free backup id for ${a.key} within a minute of ${a.takenAt.toISOString()}`);
}
