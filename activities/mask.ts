/**
 * Masked copies (`cairn restore --mask`): the configured rules applied to a restored copy after its proof.
 * Refusals are checked when the restore is planned (before anything is read or touched) and again before
 * masking; rules never travel through Temporal (the worker reads them from its own config).
 */
import type { CairnConfig, Target } from '../config/types';
import type { MaskRule } from '../config/masking';
import { BackupLocator } from '../catalog/locate';
import { PermanentError, type Destination, type Engine, type MaskedField } from '../engines/engine';
import { activityTools } from './context';
import { withFailureMapping } from './failures';
import { restoreTargets, type RestoreDeps } from './restore';
import type { RestoreItem } from './restore-types';

/** The rules for one restore, or a PermanentError saying why that restore may not be masked. */
export function maskingRules(config: CairnConfig, item: RestoreItem, dest: Destination<Target>, engine: Engine<Target>): MaskRule[] {
  if (!engine.masking) throw new PermanentError(`--mask: ${item.type} target '${item.target}' cannot be masked (masking is implemented for PostgreSQL and Neo4j)`, 'MaskRefused');
  const rules = config.masking[item.target];
  if (!rules?.length) {
    throw new PermanentError(`--mask: no masking rules configured for target ${item.target} (add them under masking: in the config file; see README, Masked copies)`, 'MaskRefused');
  }
  const production = engine.masking.production(dest, config.targets);
  if (production) {
    throw new PermanentError(`--mask: refusing to mask ${dest.label}: it is the database of configured target '${production}', and masking `
      + 'production would destroy its data; a masked copy goes to a new destination (leave out --into and --force)', 'MaskIntoProduction');
  }
  return rules;
}

export function maskActivities(deps: RestoreDeps) {
  const locator = new BackupLocator(deps.store, deps.catalog);
  const targets = restoreTargets(deps);
  return {
    /** Masks a restored, proven copy; idempotent (the engine records completion inside the copy). */
    async maskRestored(item: RestoreItem): Promise<MaskedField[]> {
      return withFailureMapping(async () => {
        const { dest, engine } = targets.destinationOf(item, await locator.readManifest(item.manifestKey, item.backupId));
        const rules = maskingRules(deps.config, item, dest, engine);
        return engine.masking!.apply(dest, rules, activityTools());
      });
    },

    /** After maskRestored succeeded: clears what masking left behind (old row versions, progress marks). */
    async finishMasking(item: RestoreItem): Promise<void> {
      return withFailureMapping(async () => {
        const { dest, engine } = targets.destinationOf(item, await locator.readManifest(item.manifestKey, item.backupId));
        await engine.masking!.finish(dest, maskingRules(deps.config, item, dest, engine), activityTools());
      });
    },
  };
}
