/** `cairn list [--type T] [--target N] [--status S] [--limit N] [--json]`: backups from backup_history. */
import type { CairnConfig, TargetType } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { listSets } from '../catalog/history';
import { bytes, ms, table } from './format';

export async function listCommand(config: CairnConfig, opts: { type?: string; target?: string; status?: string; limit: number; json: boolean }): Promise<number> {
  if (opts.type && !['postgres', 'neo4j', 'qdrant'].includes(opts.type)) {
    console.error(`cairn list: --type must be postgres, neo4j or qdrant, got '${opts.type}'`);
    return 2;
  }
  if (opts.status && !['running', 'success', 'failed'].includes(opts.status)) {
    console.error(`cairn list: --status must be running, success or failed, got '${opts.status}'`);
    return 2;
  }
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    const rows = await catalog.list({
      ...(opts.type ? { type: opts.type as TargetType } : {}), ...(opts.target ? { target: opts.target } : {}),
      ...(opts.status ? { status: opts.status } : {}), limit: opts.limit,
    });
    if (opts.json) {
      console.log(JSON.stringify(rows, null, 2));
    } else if (!rows.length) {
      console.log('no backups recorded yet');
    } else {
      console.log(table(['backup id', 'type', 'target', 'status', 'size', 'took', 'timestamp (UTC)', 'error'], rows.map((r) => [
        r.backup_id + (r.protected_at || r.backup_id.startsWith('_') ? ' (protected)' : '') + (r.origin === 'adopted' ? ` (adopted from ${r.adopted_from ?? 'a legacy deployment'})` : ''),
        r.backup_type, r.target,
        r.deleted_at ? 'deleted' : r.expired_at ? 'expired' : r.status, bytes(r.size_bytes), ms(r.duration_ms),
        r.timestamp.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''), r.error_message ?? '',
      ])));
    }
    return 0;
  } finally {
    await catalog.close();
  }
}

/** `cairn list --sets`: one line per backup cycle, complete when every target succeeded. */
export async function listSetsCommand(config: CairnConfig, opts: { limit: number; json: boolean }): Promise<number> {
  const catalog = new Catalog(config.metadata);
  try {
    await catalog.migrate();
    const rows = await listSets(catalog.pool, { limit: opts.limit });
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (!rows.length) console.log('no backup sets recorded yet (a backup cycle records one)');
    else {
      console.log(table(['set', 'started (UTC)', 'complete', 'members', 'skew', 'failed'], rows.map((r) => [
        r.set_id, r.started_at.toISOString().replace('T', ' ').slice(0, 19), r.complete ? 'yes' : 'NO',
        r.members.map((m) => m.backupId ?? m.target).join(', '), ms(r.skew_ms),
        r.members.filter((m) => m.status !== 'success').map((m) => `${m.target}: ${m.error ?? 'failed'}`).join('; '),
      ])));
    }
    return 0;
  } finally {
    await catalog.close();
  }
}
