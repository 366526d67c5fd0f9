/**
 * The steps of a restore. Nothing touches a database before every stored object of the backup was read and
 * matched its manifest (verifyBackup); restoring reads the objects again through the same check, so bytes that
 * changed in between make the restore fail instead of completing.
 */
import type { CairnConfig, Target } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import { BackupLocator, type LocatedBackup } from '../catalog/locate';
import { upsertRestore } from '../catalog/history';
import { PermanentError, type Destination, type Engine, type ProofReport, type RestoreOutcome } from '../engines/engine';
import type { EngineRegistry } from '../engines/registry';
import type { Manifest } from '../storage/format/manifest';
import { restoreReportKey, type RestoreReport } from '../storage/format/reports';
import type { BackupStore } from '../storage/store';
import { readingContext, verifyStored } from './reading';
import { assertCanDecrypt } from '../storage/encryption';
import { withFailureMapping } from './failures';
import { recordReport } from './record-report';
import { consistencyAt } from './consistency';
import { maskingRules } from './mask';
import type { RestoreItem, RestorePlan, RestoreRequest, RestoreStepResult, VerifyResult } from './restore-types';

export interface RestoreDeps {
  config: CairnConfig;
  store: BackupStore;
  catalog: Catalog;
  engines: EngineRegistry;
}

export function restoreActivities(deps: RestoreDeps) {
  const { config, store, catalog } = deps;
  const locator = new BackupLocator(store, catalog);
  const targets = restoreTargets(deps);

  return {
    /** Which backups, and where each goes; refuses what it cannot do before anything is read or touched. */
    async planRestore(req: RestoreRequest): Promise<RestorePlan> {
      return withFailureMapping(async () => {
        const { located, setId } = await locate(req);
        const items: RestoreItem[] = [];
        for (const l of located) {
          const item = targets.item(l, { into: req.into, stamp: req.stamp, purpose: 'restore' });
          if (req.mask) {
            const { dest, engine } = targets.destinationOf(item, l.manifest);
            try {
              maskingRules(config, item, dest, engine);
            } catch (err) {
              throw new PermanentError(`${(err as Error).message}; nothing was restored`, (err as PermanentError).kind);
            }
          }
          if (!req.validateOnly) {
            const { dest, engine } = targets.destinationOf(item, l.manifest);
            const state = await engine.inspect(dest);
            if (!state.empty && !req.force) {
              throw new PermanentError(`refusing to restore ${item.backupId} into ${dest.label}: it is not empty (${state.detail}); `
                + 'nothing was changed. Restore into the default destination (a new database or collection; for Neo4j the drill instance), or pass force: true (cairn restore --force) to replace it', 'DestinationNotEmpty');
            }
          }
          items.push(item);
        }
        return { items, locatedFrom: located.some((l) => l.from === 'bucket') ? 'bucket' : 'catalog', ...(setId ? { setId } : {}) };
      });
    },

    /** Reads every stored object of the backup: size, SHA-256 and the engine's structural check. */
    async verifyBackup(item: RestoreItem): Promise<VerifyResult> {
      return withFailureMapping(async () => {
        const manifest = await locator.readManifest(item.manifestKey, item.backupId);
        return verifyBackupOf(item, manifest);
      });
    },

    /**
     * With `verify`, the backup is verified here first, before the destination is touched: by the engine from the
     * local copy it restores from (one read of the store), or by a full read (verifyBackup's) before restoring.
     */
    async restoreToDestination(input: { item: RestoreItem; force: boolean; jobs?: number; keepOwnership?: boolean; verify?: boolean }): Promise<RestoreStepResult> {
      return withFailureMapping(async () => {
        const { item } = input;
        const manifest = await locator.readManifest(item.manifestKey, item.backupId);
        const { dest, engine } = targets.destinationOf(item, manifest);
        const state = await engine.inspect(dest);
        if (!state.empty && !input.force) {
          throw new PermanentError(`refusing to restore into ${dest.label}: it is not empty (${state.detail}); pass force to replace it`, 'DestinationNotEmpty');
        }
        let fullReadBytes = 0; // a full verification read's (the engine's reads are counted by `reading`)
        const verifyFirst = async () => {
          const began = Date.now();
          const v = await verifyBackupOf(item, manifest);
          fullReadBytes += v.bytesRead;
          return { ...v, ms: Date.now() - began };
        };
        let verified: VerifyResult | undefined;
        if (input.verify) {
          assertCanDecrypt(item.backupId, manifest.artifacts, config.encryption.identities);
          if (!engine.verifiesWhileRestoring) verified = await verifyFirst();
        }
        const reading = readingContext(store, manifest.artifacts, 'restoring', config.encryption.identities);
        try {
          const outcome = await engine.restore(dest, manifest, reading.ctx, {
            replace: input.force, ...(input.jobs ? { jobs: input.jobs } : {}), ...(input.keepOwnership ? { keepOwnership: true } : {}),
            ...(input.verify && engine.verifiesWhileRestoring ? { verify: verifyFirst } : {}),
          });
          const { verified: fromEngine, ...rest } = outcome;
          verified ??= fromEngine;
          return { outcome: rest, bytesRead: reading.bytes() + fullReadBytes, ...(verified ? { verified } : {}) };
        } finally {
          reading.stop();
        }
      });
    },

    async proveRestore(input: { item: RestoreItem; outcome: RestoreOutcome }): Promise<ProofReport> {
      return withFailureMapping(async () => {
        const manifest = await locator.readManifest(input.item.manifestKey, input.item.backupId);
        const { dest, engine } = targets.destinationOf(input.item, manifest);
        const reading = readingContext(store, manifest.artifacts, 'proving', config.encryption.identities);
        try {
          return await engine.prove(dest, manifest, input.outcome, reading.ctx);
        } finally {
          reading.stop();
        }
      });
    },

    /** The report goes to the bucket first (it outlives the catalog), then into restore_history when it answers. */
    async recordRestore(report: RestoreReport): Promise<{ reportKey: string; catalogError?: string }> {
      return recordReport(store, catalog, restoreReportKey(report), report, 'restore_history', upsertRestore);
    },
  };

  async function verifyBackupOf(item: RestoreItem, manifest: Manifest): Promise<VerifyResult> {
    const { engine } = targets.source(item);
    // A restore needs the plaintext: no matching identity is refused here, before any database is touched.
    assertCanDecrypt(item.backupId, manifest.artifacts, config.encryption.identities);
    return verifyStored(store, engine, manifest.artifacts, manifest.counts, `backup ${item.backupId}`, config.encryption.identities);
  }

  async function locate(req: RestoreRequest): Promise<{ located: LocatedBackup[]; setId?: string }> {
    if (req.backupId) {
      const l = await locator.byId(req.backupId);
      if (req.type !== 'all' && l.manifest.type !== req.type) {
        throw new PermanentError(`backup ${req.backupId} is a ${l.manifest.type} backup, but type is '${req.type}'`, 'BadRestoreRequest');
      }
      return { located: [l] };
    }
    if (req.type === 'all' || req.setId) {
      const { set, from } = await locator.set(req.setId);
      if (!set.complete) {
        const failed = set.members.filter((m) => m.status !== 'success').map((m) => m.target);
        throw new PermanentError(`backup set ${set.setId} is not complete (failed: ${failed.join(', ')}); restore its members one by one, or choose a complete set`, 'IncompleteSet');
      }
      const members = set.members.filter((m) => req.type === 'all' || m.type === req.type);
      if (!members.length) throw new PermanentError(`backup set ${set.setId} has no ${req.type} member`, 'BadRestoreRequest');
      const located = [];
      for (const m of members) located.push({ manifest: await locator.readManifest(m.manifestKey!, m.backupId!), manifestKey: m.manifestKey!, from });
      return { located, setId: set.setId };
    }
    const name = req.target ?? onlyTargetOf(config, req.type);
    const t = config.targets.find((x) => x.name === name);
    if (!t) throw new PermanentError(`no target named '${name}' is configured (configured: ${config.targets.map((x) => x.name).join(', ')})`, 'UnknownTarget');
    if (t.type !== req.type) throw new PermanentError(`target '${name}' is a ${t.type} target, but type is '${req.type}'`, 'BadRestoreRequest');
    return { located: [await locator.latestOf(t.type, t.name)] };
  }
}

/** Resolving configured targets, engines and destinations for restore items (shared with drills). */
export function restoreTargets({ config, engines }: Pick<RestoreDeps, 'config' | 'engines'>) {
  const source = (item: { target: string; type: string }) => {
    const t = config.targets.find((x) => x.name === item.target);
    if (!t) throw new PermanentError(`the backup's target '${item.target}' is not configured on this worker, so there is no connection to restore with; configure it (even just for restores)`, 'UnknownTarget');
    if (t.type !== item.type) throw new PermanentError(`target '${item.target}' is configured as ${t.type}, but the backup is ${item.type}`, 'UnknownTarget');
    return { target: t, engine: engines[t.type] as unknown as Engine<Target> };
  };
  const destinationOf = (item: RestoreItem, manifest: Manifest): { dest: Destination<Target>; engine: Engine<Target> } => {
    const { target, engine } = source(item);
    const dest = engine.destination({ source: target, manifest, ...(item.into !== undefined ? { into: item.into } : {}), stamp: item.stamp, purpose: item.purpose, targets: config.targets });
    return { dest, engine };
  };
  const item = (l: LocatedBackup, opts: { into?: string; stamp: string; purpose: 'restore' | 'drill' }): RestoreItem => {
    const m = l.manifest;
    const base = { target: m.target, type: m.type, backupId: m.backupId, manifestKey: l.manifestKey, stamp: opts.stamp, purpose: opts.purpose, ...(opts.into !== undefined ? { into: opts.into } : {}) };
    const { dest } = destinationOf({ ...base, destination: '', destinationKey: '', created: false, totalBytes: 0 }, m);
    const at = consistencyAt(m);
    return {
      ...base, destination: dest.label, destinationKey: dest.key, created: dest.created,
      totalBytes: m.artifacts.reduce((n, a) => n + a.sizeBytes, 0), ...(at ? { consistencyAt: at } : {}),
    };
  };
  return { source, destinationOf, item };
}

function onlyTargetOf(config: CairnConfig, type: string): string {
  const of = config.targets.filter((t) => t.type === type);
  if (of.length === 1) return of[0]!.name;
  throw new PermanentError(of.length
    ? `several ${type} targets are configured (${of.map((t) => t.name).join(', ')}): name one with target (--target)`
    : `no ${type} target is configured`, 'BadRestoreRequest');
}
