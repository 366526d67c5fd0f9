/**
 * `cairn adopt [--dry-run] [--map LEGACY=TARGET]... [--collection NAME] [--json]`: takes over the archives the
 * legacy deployments left in the store (adopt/run.ts), so they are listed, retained and restorable.
 */
import { AdoptUsageError, adoptArchives, type AdoptReport } from '../adopt/run';
import { Catalog } from '../catalog/catalog';
import type { CairnConfig } from '../config/types';
import { openStore } from '../storage/open-store';
import { table } from './format';

export async function adoptCommand(config: CairnConfig, opts: { dryRun: boolean; map: string[]; collection?: string; json: boolean }): Promise<number> {
  const map: Record<string, string> = {};
  for (const m of opts.map) {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) {
      console.error(`cairn adopt: --map takes LEGACY=TARGET (e.g. --map clara=clara_main), got '${m}'`);
      return 2;
    }
    map[m.slice(0, eq)] = m.slice(eq + 1);
  }
  const store = openStore(config.storage);
  const catalog = new Catalog(config.metadata);
  try {
    const report = await adoptArchives(store, catalog, config.targets, { dryRun: opts.dryRun, map, ...(opts.collection ? { collection: opts.collection } : {}) });
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else print(report, store.location);
    return report.rejected.length ? 1 : 0;
  } catch (err) {
    if (!(err instanceof AdoptUsageError)) throw err;
    console.error(`cairn adopt: ${err.message}; nothing was adopted`);
    return 2;
  } finally {
    store.destroy();
    await catalog.close();
  }
}

function print(r: AdoptReport, location: string): void {
  const verb = r.dryRun ? 'would adopt' : 'adopted';
  console.log(`${r.dryRun ? 'dry run (nothing written): ' : ''}${verb} ${r.adopted.length} archive(s) in ${location}; `
    + `${r.already.length} adopted before; ${r.rejected.length} rejected`);
  if (r.adopted.length) {
    console.log(table(['archive', 'from', 'backup id', 'target', 'format', 'verified'], r.adopted.map((a) => [
      a.key, a.from, a.backupId, a.target, a.format, a.verified.join('; '),
    ])));
  }
  for (const x of r.rejected) console.log(`  rejected ${x.key} (${x.from}): ${x.reason}`);
}
