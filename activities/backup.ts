/** The steps of one target's backup. Each is idempotent: a retry overwrites its own objects and row, never adds more. */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { CairnConfig, Target } from '../config/types';
import type { ArtifactRecord, Counts, Engine } from '../engines/engine';
import type { EngineRegistry } from '../engines/registry';
import type { Catalog } from '../catalog/catalog';
import type { BackupStore } from '../storage/store';
import { writeArtifact } from '../storage/artifacts';
import { backupPrefix, catalogObjectKey, manifestKey, sidecarKey } from '../storage/layout';
import { MANIFEST_FORMAT, MANIFEST_VERSION } from '../storage/format/manifest';
import { triggerOf } from '../retention/trigger';
import { protectionFor, writeProtection } from '../retention/protection';
import { recordProtection } from '../catalog/retention';
import { activityTools } from './context';
import { verifyStored } from './reading';
import { checkedInFlight, completeStreamChecks } from './stream-verify';
import { withFailureMapping } from './failures';
import { withDumpLock } from './dump-lock';
import { outageTolerantRetries } from '../workflows/policies';
import type { BackupPlan, DumpResult, Manifest, TargetBackupResult } from './types';

export interface BackupDeps {
  config: CairnConfig;
  store: BackupStore;
  catalog: Catalog;
  engines: EngineRegistry;
}

export function backupActivities({ config, store, catalog, engines }: BackupDeps) {
  function target(name: string): Target {
    const t = config.targets.find((x) => x.name === name);
    if (!t) throw ApplicationFailure.nonRetryable(`no target named '${name}' is configured on this worker`, 'UnknownTarget');
    return t;
  }
  const engine = (t: Target) => engines[t.type] as unknown as Engine<Target>;

  return {
    /**
     * Which targets a cycle covers, and the retry policies this worker's config asks for. Unknown names fail
     * at once, naming them and what is configured; so does anything that is not a list of names.
     */
    async planBackup(names: string[]): Promise<BackupPlan> {
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
        throw ApplicationFailure.nonRetryable(`planBackup needs a list of target names, got ${JSON.stringify(names)?.slice(0, 60) ?? typeof names}`, 'InvalidActivityInput');
      }
      const known = config.targets.map((t) => t.name);
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length) {
        throw ApplicationFailure.nonRetryable(`unknown target(s): ${unknown.join(', ')}; configured targets: ${known.join(', ') || 'none'}`, 'UnknownTarget');
      }
      const chosen = names.length ? config.targets.filter((t) => names.includes(t.name)) : config.targets;
      return {
        targets: chosen.map((t) => ({ name: t.name, type: t.type })), concurrency: config.backup.concurrency,
        retries: outageTolerantRetries(config.backup.retry),
      };
    },

    async beginBackup(input: { target: string; workflowId: string; runId: string; startedAt: string }): Promise<string> {
      const t = target(input.target);
      const trigger = triggerOf(input.workflowId, config.backup.scheduleId);
      return catalog.begin(t.type, t.name, { workflowId: input.workflowId, runId: input.runId, trigger }, new Date(input.startedAt));
    },

    /** Dump -> (gzip) -> SHA-256 -> upload, in one streaming pass per artifact. */
    async dumpTarget(input: { target: string; backupId: string }): Promise<DumpResult> {
      const t = target(input.target);
      const tools = activityTools();
      const started = Date.now();
      return withDumpLock(config.metadata, t, () => withFailureMapping(async () => {
        await store.ensureBucket();
        // A previous attempt (e.g. on a worker that died) may have left an unfinished upload or older objects.
        await store.abortStaleUploads(backupPrefix(input.backupId));
        await store.deleteAll((await store.list(backupPrefix(input.backupId))).map((o) => o.key));
        const result = await engine(t).backup(t, {
          ...tools,
          verifyOnStream: config.backup.verify === 'stream',
          writeArtifact: (spec, source) => writeArtifact(store, input.backupId, spec, source, tools.signal, config.encryption.recipients),
        });
        return {
          artifacts: result.artifacts, sourceVersion: result.sourceVersion, consistency: result.consistency,
          counts: result.counts, ...(result.proof ? { proof: result.proof } : {}), startedAt: new Date(started).toISOString(), durationMs: Date.now() - started,
        };
      }));
    },

    /**
     * Reads every artifact back from the store: size and SHA-256 as recorded, and structurally whole. An
     * encrypted backup on a worker holding only recipients gets the checks that need no key (see verifyStored).
     */
    async validateBackup(input: { target: string; artifacts: ArtifactRecord[]; counts: Counts }): Promise<string[]> {
      const t = target(input.target);
      const identities = config.encryption.identities;
      if (config.backup.verify === 'stream' && checkedInFlight(input.artifacts)) return withFailureMapping(() => completeStreamChecks(store, input.artifacts));
      return (await withFailureMapping(() => verifyStored(store, engine(t), input.artifacts, input.counts, `the backup of ${t.name}`, identities))).checks;
    },

    /** Writes the manifest (the backup's proof of completeness) and only then records success. */
    async commitBackup(input: { target: string; backupId: string; workflowId: string; dump: DumpResult; checks: string[]; validateMs: number; setId?: string; protect?: boolean }): Promise<TargetBackupResult> {
      const t = target(input.target);
      const { dump } = input;
      const totalSizeBytes = dump.artifacts.reduce((n, a) => n + a.sizeBytes, 0);
      const manifest: Manifest = {
        format: MANIFEST_FORMAT, version: MANIFEST_VERSION, backupId: input.backupId, type: t.type, target: t.name,
        workflowId: input.workflowId, createdAt: dump.startedAt, sourceVersion: dump.sourceVersion,
        consistency: dump.consistency, counts: dump.counts,
        ...(dump.proof ? { proof: dump.proof } : {}), ...(input.setId ? { setId: input.setId } : {}),
        artifacts: dump.artifacts.map(({ inFlight: _checked, ...a }) => ({ ...a, sidecarKey: sidecarKey(a.key) })),
        totalSizeBytes, checksum: backupChecksum(dump.artifacts),
        durations: { dumpMs: dump.durationMs, validateMs: input.validateMs, totalMs: dump.durationMs + input.validateMs },
        validation: { checkedAt: new Date().toISOString(), checks: input.checks },
      };
      const key = manifestKey(input.backupId);
      // The marker before the manifest: a protected backup is never, even for a moment, complete and unprotected.
      const marker = input.protect ? protectionFor(input.backupId, `taken with cairn backup --protect by ${input.workflowId}`) : undefined;
      if (marker) await writeProtection(store, marker);
      await store.putText(key, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
      await catalog.succeed(input.backupId, {
        sizeBytes: totalSizeBytes, checksum: manifest.checksum, objectKey: catalogObjectKey(dump.artifacts, key), manifestKey: key,
        durationMs: manifest.durations.totalMs, counts: dump.counts,
      });
      if (marker) await recordProtection(catalog.pool, input.backupId, marker);
      return { target: t.name, type: t.type, backupId: input.backupId, status: 'success', sizeBytes: totalSizeBytes, checksum: manifest.checksum, manifestKey: key };
    },

    /** A failed backup leaves nothing behind that could be mistaken for a backup, and a row saying why. */
    async failBackup(input: { backupId: string; error: string; durationMs: number }): Promise<void> {
      const prefix = backupPrefix(input.backupId);
      await store.abortStaleUploads(prefix).catch(() => 0);
      const leftovers = (await store.list(prefix).catch(() => [])).map((o) => o.key);
      await store.deleteAll(leftovers);
      await catalog.fail(input.backupId, input.error, input.durationMs);
    },
  };
}

/** One checksum for the catalog: the artifact's own, or for several the sha256 of their `sha256sum` listing. */
export function backupChecksum(artifacts: ArtifactRecord[]): string {
  if (artifacts.length === 1) return artifacts[0]!.sha256;
  const listing = [...artifacts].sort((a, b) => a.key.localeCompare(b.key))
    .map((a) => `${a.sha256}  ${a.key.slice(a.key.lastIndexOf('/') + 1)}\n`).join('');
  return createHash('sha256').update(listing).digest('hex');
}

