/**
 * The drill's own steps around the restores: plan (the latest complete set, each member into its isolated drill
 * destination), smoke checks, the user's checks, teardown, and the report (bucket first, then dr_drill_history).
 */
import type { Catalog } from '../catalog/catalog';
import { upsertDrill } from '../catalog/history';
import { BackupLocator } from '../catalog/locate';
import type { CheckSource, DrillCheck } from '../config/drill';
import { PermanentError, type HealthCheck } from '../engines/engine';
import { drillReportKey, type DrillCheckResult, type DrillReport } from '../storage/format/reports';
import { renderDrillMarkdown } from '../storage/format/drill-markdown';
import { withFailureMapping } from './failures';
import { recordReport } from './record-report';
import { restoreTargets, type RestoreDeps } from './restore';
import type { RestoreItem } from './restore-types';

export interface DrillPlan {
  setId: string;
  items: RestoreItem[];
  rtoObjectiveMs: number;
  checks: string[];
  /** DRILL_MASK: the targets whose drill copies are masked after their proof (those with masking rules) */
  masked?: string[];
}

export function drillActivities(deps: RestoreDeps) {
  const { config, store, catalog } = deps;
  const locator = new BackupLocator(store, catalog as Catalog);
  const targets = restoreTargets(deps);
  const destination = async (item: RestoreItem) => targets.destinationOf(item, await locator.readManifest(item.manifestKey, item.backupId));

  return {
    async planDrill(input: { stamp: string; setId?: string }): Promise<DrillPlan> {
      return withFailureMapping(async () => {
        const { set } = await locator.set(input.setId);
        if (!set.complete) throw new PermanentError(`backup set ${set.setId} is not complete; a drill restores a complete set`, 'IncompleteSet');
        const items: RestoreItem[] = [];
        for (const m of set.members) {
          const manifest = await locator.readManifest(m.manifestKey!, m.backupId!);
          // destination() refuses a drill destination that is, or points at, a production database.
          items.push(targets.item({ manifest, manifestKey: m.manifestKey!, from: 'bucket' }, { stamp: input.stamp, purpose: 'drill' }));
        }
        const inSet = new Set(items.map((i) => i.target));
        for (const c of config.drill.checks) {
          const missing = sourcesOf(c).map((s) => s.target).filter((t) => !inSet.has(t));
          if (missing.length) throw new PermanentError(`drill check '${c.name}' reads target(s) ${missing.join(', ')}, which set ${set.setId} does not contain`, 'BadDrillCheck');
        }
        const masked = config.drill.mask ? items.filter((i) => config.masking[i.target]?.length).map((i) => i.target) : [];
        return { setId: set.setId, items, rtoObjectiveMs: config.drill.rtoObjectiveMs, checks: config.drill.checks.map((c) => c.name), ...(masked.length ? { masked } : {}) };
      });
    },

    /** A drill destination must start empty; one Cairn owns (left by an interrupted drill) is emptied first. */
    async prepareDrillDestination(item: RestoreItem): Promise<string> {
      return withFailureMapping(async () => {
        const { dest, engine } = await destination(item);
        const state = await engine.inspect(dest);
        if (state.empty) return `${dest.label} is empty`;
        if (!dest.created) throw new PermanentError(`drill destination ${dest.label} is not empty (${state.detail}) and Cairn did not create it; empty it or configure another drill target`, 'DestinationNotEmpty');
        await engine.drop(dest);
        return `${dest.label} held ${state.detail} from an earlier drill; emptied`;
      });
    },

    async smokeTest(item: RestoreItem): Promise<HealthCheck[]> {
      return withFailureMapping(async () => {
        const { dest, engine } = await destination(item);
        try {
          return await engine.smoke(dest);
        } catch (err) {
          return [{ check: 'smoke', ok: false, detail: (err as Error).message }];
        }
      });
    },

    /** The user's checks, each against the restored copies; a check that cannot run fails, naming why. */
    async runDrillChecks(items: RestoreItem[]): Promise<DrillCheckResult[]> {
      const value = async (s: CheckSource): Promise<string> => {
        const item = items.find((i) => i.target === s.target);
        if (!item) throw new Error(`target ${s.target} was not restored in this drill`);
        const { dest, engine } = await destination(item);
        return engine.query(dest, { ...(s.query ? { query: s.query } : {}), ...(s.collection ? { collection: s.collection } : {}) });
      };
      const results: DrillCheckResult[] = [];
      for (const c of config.drill.checks) {
        try {
          if ('equal' in c) {
            const values = [];
            for (const s of c.equal) values.push(`${s.target}: ${await value(s)}`);
            const plain = values.map((v) => v.slice(v.indexOf(': ') + 2));
            results.push({ name: c.name, ok: plain.every((v) => v === plain[0]), detail: values.join(' vs ') });
          } else {
            const got = await value(c);
            results.push({ name: c.name, ok: got === c.expect, detail: `${c.target}: expected ${c.expect}, got ${got}` });
          }
        } catch (err) {
          results.push({ name: c.name, ok: false, detail: `could not run: ${(err as Error).message}` });
        }
      }
      return results;
    },

    async teardownDestination(item: RestoreItem): Promise<{ destination: string; ok: boolean; detail: string }> {
      try {
        const { dest, engine } = await destination(item);
        if (!dest.created) return { destination: item.destination, ok: true, detail: 'not created by the drill; left as it is' };
        await engine.drop(dest);
        return { destination: item.destination, ok: true, detail: 'removed' };
      } catch (err) {
        return { destination: item.destination, ok: false, detail: (err as Error).message };
      }
    },

    async recordDrill(report: DrillReport): Promise<{ reportKey: string; catalogError?: string }> {
      await store.putText(drillReportKey(report, 'md'), renderDrillMarkdown(report), 'text/markdown');
      return recordReport(store, catalog, drillReportKey(report, 'json'), report, 'dr_drill_history', upsertDrill);
    },
  };
}

const sourcesOf = (c: DrillCheck): CheckSource[] => ('equal' in c ? c.equal : [c]);
