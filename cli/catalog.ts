/** `cairn catalog rebuild`: restores backup_history from the manifests in the bucket (e.g. after losing the metadata database). */
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { rebuildCatalog } from '../catalog/rebuild';
import { openStore } from '../storage/open-store';

export async function catalogCommand(config: CairnConfig, action: string | undefined, opts: { json: boolean }): Promise<number> {
  if (action !== 'rebuild') {
    console.error('usage: cairn catalog rebuild [--json]');
    return 2;
  }
  const store = openStore(config.storage);
  const catalog = new Catalog(config.metadata);
  try {
    const report = await rebuildCatalog(store, catalog, config.backup.scheduleId);
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`read ${report.manifests} manifest(s) in ${store.location}: ${report.inserted} backup(s) added to backup_history, ${report.updated} refreshed`);
      console.log(`read ${report.sets} backup set(s), ${report.restores} restore report(s) and ${report.drills} drill report(s) into backup_sets, restore_history and dr_drill_history`);
      if (report.protected) console.log(`re-protected ${report.protected} backup(s) from their protection markers`);
      for (const key of report.unreadable) console.log(`  skipped ${key}: not a readable Cairn document`);
    }
    return report.unreadable.length ? 1 : 0;
  } finally {
    store.destroy();
    await catalog.close();
  }
}
