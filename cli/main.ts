/** The `cairn` command line: parses arguments, loads config, dispatches. Errors are one clear line, no stack trace. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { runWorker } from '../worker/main';
import { adoptCommand } from './adopt';
import { backupCommand } from './backup';
import { catalogCommand } from './catalog';
import { configCommand } from './config';
import { doctorCommand } from './doctor';
import { drillCommand, drillsCommand } from './drill';
import { listCommand, listSetsCommand } from './list';
import { protectionCommand } from './protect';
import { pruneCommand } from './prune';
import { restoreCommand } from './restore';
import { scheduleCommand } from './schedule';
import { statusCommand } from './status';
import { serveCommand } from './serve';

const USAGE = `usage: cairn <command> [options]
  doctor [--json]                                   check Temporal, the bucket, the catalog and every target
  status [--json]                                   every target against its objectives; exits 1 when one is out
  backup [--target NAME]... [--wait] [--protect] [--json]
                                                    run a backup cycle (all targets unless --target);
                                                    --protect: retention never deletes what it takes
  list [--type T] [--target N] [--status S] [--limit N] [--json]
                                                    backups recorded in backup_history
  list --sets [--limit N] [--json]                  backup sets (one per cycle); complete = every target succeeded
  restore --type all|postgres|neo4j|qdrant [--target N] [--backup-id ID | --set ID] [--into DEST]
          [--validate-only] [--force] [--jobs N] [--keep-ownership] [--mask] [--wait] [--json]
                                                    verify, restore into a new destination (or --into), prove equal;
                                                    --mask: then apply the target's masking rules to the copy
  drill [--set ID] [--wait] [--json]                run the disaster-recovery drill now
  drills [--limit N] [--json]                       past DR drills: pass/fail, RTO, RPO
  schedule apply|list|describe|pause|unpause|trigger|delete [--id ID]
                                                    the daily backup schedule in Temporal
  prune [--dry-run] [--target N] [--json]           apply retention now; --dry-run lists what would go and why
  protect ID [--reason TEXT] | unprotect ID         protect a backup from every deletion, or lift that
  forget ID [--no-copy]                             delete a backup, keeping a protected copy _deleted_ID unless --no-copy
  adopt [--dry-run] [--map LEGACY=TARGET]... [--collection NAME] [--json]
                                                    take over the archives the replaced deployments left in the store:
                                                    verify, write a manifest beside each, record it; --dry-run writes nothing
  catalog rebuild [--json]                          rebuild backup_history from the manifests in the bucket
  config show [--json]                              the effective configuration (secrets masked) and where each setting came from
  worker                                            run a worker (activities and workflows); with CAIRN_HTTP_PORT, also the HTTP server
  serve                                             the HTTP server alone: /health /ready /live /metrics, the API, the status page
Configuration comes from environment variables and CAIRN_CONFIG (see README).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: {
        json: { type: 'boolean', default: false }, wait: { type: 'boolean', default: false },
        target: { type: 'string', multiple: true, default: [] }, type: { type: 'string' }, status: { type: 'string' },
        limit: { type: 'string', default: '50' }, id: { type: 'string' }, note: { type: 'string' },
        sets: { type: 'boolean', default: false }, 'backup-id': { type: 'string' }, set: { type: 'string' }, into: { type: 'string' },
        'validate-only': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, jobs: { type: 'string' },
        'keep-ownership': { type: 'boolean', default: false }, mask: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false }, protect: { type: 'boolean', default: false }, reason: { type: 'string' },
        'no-copy': { type: 'boolean', default: false }, map: { type: 'string', multiple: true, default: [] }, collection: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`cairn ${command ?? ''}: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  // Help and usage errors need no configuration, so a broken config cannot hide them.
  if (command === undefined || command === 'help' || command === '--help') { console.log(USAGE); return command ? 0 : 2; }
  if (!['doctor', 'status', 'serve', 'backup', 'list', 'restore', 'drill', 'drills', 'schedule', 'catalog', 'config', 'worker', 'prune', 'protect', 'unprotect', 'forget', 'adopt'].includes(command)) { console.error(`cairn: unknown command '${command}'\n${USAGE}`); return 2; }
  // A flag the command would ignore is a mistake worth saying, not a silent no-op.
  const owners: [boolean | undefined, string, string[]][] = [[v['dry-run'], '--dry-run', ['prune', 'adopt']], [v.protect, '--protect', ['backup']],
    [v.map!.length > 0, '--map', ['adopt']], [v.collection !== undefined, '--collection', ['adopt']]];
  for (const [set, flag, owner] of owners) {
    if (set && !owner.includes(command)) { console.error(`cairn ${command}: ${flag} belongs to cairn ${owner.join(' and cairn ')}`); return 2; }
  }
  try {
    if (command === 'config') return configCommand(positionals[0], { json: v.json! });
    const config = loadConfig();
    switch (command) {
      case 'doctor': return await doctorCommand(config, { json: v.json! });
      case 'status': return await statusCommand(config, { json: v.json! });
      case 'serve': return await serveCommand(config);
      case 'backup': return await backupCommand(config, { targets: v.target!, wait: v.wait!, json: v.json!, protect: v.protect! });
      case 'prune': return await pruneCommand(config, { ...(v.target![0] ? { target: v.target![0] } : {}), dryRun: v['dry-run']!, json: v.json! });
      case 'protect':
      case 'unprotect':
      case 'forget': return await protectionCommand(config, command, positionals[0], { ...(v.reason ? { reason: v.reason } : {}), noCopy: v['no-copy']!, json: v.json! });
      case 'restore':
        return await restoreCommand(config, {
          ...(v.type ? { type: v.type } : {}), ...(v.target![0] ? { target: v.target![0] } : {}), ...(v['backup-id'] ? { backupId: v['backup-id'] } : {}),
          ...(v.set ? { setId: v.set } : {}), ...(v.into !== undefined ? { into: v.into } : {}), ...(v.jobs !== undefined ? { jobs: v.jobs } : {}),
          validateOnly: v['validate-only']!, force: v.force!, keepOwnership: v['keep-ownership']!, mask: v.mask!, wait: v.wait!, json: v.json!,
        });
      case 'drill': return await drillCommand(config, { ...(v.set ? { setId: v.set } : {}), wait: v.wait!, json: v.json! });
      case 'drills':
      case 'list': {
        const limit = Number(v.limit);
        if (!Number.isInteger(limit) || limit < 1) { console.error(`cairn ${command}: --limit must be a positive whole number, got '${v.limit}'`); return 2; }
        if (command === 'drills') return await drillsCommand(config, { json: v.json!, limit });
        if (v.sets) return await listSetsCommand(config, { json: v.json!, limit });
        return await listCommand(config, { ...(v.type ? { type: v.type } : {}), ...(v.target![0] ? { target: v.target![0] } : {}), ...(v.status ? { status: v.status } : {}), limit, json: v.json! });
      }
      case 'schedule': return await scheduleCommand(config, positionals[0], { ...(v.id ? { id: v.id } : {}), ...(v.note ? { note: v.note } : {}), json: v.json! });
      case 'adopt': return await adoptCommand(config, { dryRun: v['dry-run']!, map: v.map!, ...(v.collection ? { collection: v.collection } : {}), json: v.json! });
      case 'catalog': return await catalogCommand(config, positionals[0], { json: v.json! });
      default: await runWorker(); return 0;
    }
  } catch (err) {
    console.error(`cairn ${command}: ${whatWentWrong(err)}`);
    return 1;
  }
}

/** The error and every cause under it: 'Workflow execution failed' alone would hide why (a refused input). */
function whatWentWrong(err: unknown): string {
  const messages: string[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e && messages.length < 10; e = e.cause as typeof e) {
    if (e.message && !messages.includes(e.message)) messages.push(e.message);
  }
  return messages.join(': ') || String(err);
}
