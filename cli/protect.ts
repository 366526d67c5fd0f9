/** `cairn protect ID [--reason TEXT]`, `cairn unprotect ID`, `cairn forget ID [--no-copy]`: done here, against the bucket and catalog. */
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { forgetBackup, protectBackup, unprotectBackup } from '../retention/protection';
import { ObjectStore } from '../storage/s3';

export async function protectionCommand(config: CairnConfig, command: 'protect' | 'unprotect' | 'forget', backupId: string | undefined,
  o: { reason?: string; noCopy: boolean; json: boolean }): Promise<number> {
  if (!backupId) {
    console.error(`usage: cairn ${command} BACKUP_ID${command === 'protect' ? ' [--reason TEXT]' : command === 'forget' ? ' [--no-copy]' : ''} (ids as cairn list shows them)`);
    return 2;
  }
  if (o.reason !== undefined && command !== 'protect') { console.error(`cairn ${command}: --reason belongs to cairn protect`); return 2; }
  if (o.noCopy && command !== 'forget') { console.error(`cairn ${command}: --no-copy belongs to cairn forget`); return 2; }
  const store = new ObjectStore(config.storage);
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    let outcome: Record<string, unknown>;
    if (command === 'protect') {
      const marker = await protectBackup(store, catalog, backupId, o.reason ?? 'protected with cairn protect');
      outcome = { backupId, protected: true, reason: marker.reason, text: `protected ${backupId}: retention and cairn forget will not delete it (${marker.reason})` };
    } else if (command === 'unprotect') {
      await unprotectBackup(store, catalog, backupId);
      outcome = { backupId, protected: false, text: `unprotected ${backupId}: retention rules apply to it again` };
    } else {
      const copy = await forgetBackup(store, catalog, backupId, { copy: !o.noCopy });
      outcome = { backupId, deleted: true, copy: copy ?? null, text: `deleted ${backupId}${copy ? `; a protected copy is kept as ${copy}` : ' (no copy kept)'}` };
    }
    const { text, ...json } = outcome;
    console.log(o.json ? JSON.stringify(json) : text);
    return 0;
  } finally {
    store.destroy();
    await catalog.close();
  }
}
