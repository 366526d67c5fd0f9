/**
 * Restores a backup into a destination database. A new database is created from template0 (with the source's
 * encoding and locale); a non-empty one is only replaced when asked, by restoring beside it first and swapping
 * names once that succeeded, so a failed restore never costs the data that was there.
 */
import type { PostgresTarget } from '../../config/types';
import type { Manifest } from '../../storage/format/manifest';
import { PermanentError, type Destination, type ReadContext, type RestoreOptions, type RestoreOutcome } from '../engine';
import {
  comment, createDatabase, databaseExists, describeContents, dropDatabase, IN_PROGRESS, quoteIdent, renameDatabase, withDatabase, withServer,
} from './databases';
import { fitName } from './destination';
import { runPgRestore } from './pg-restore';
import { runPsqlScript } from './plain-sql';
import { adoptedFormat } from '../../storage/format/adopted';
import { prepareArchive, type ArchiveSource } from './archive-source';
import { makeSpoolDir } from './spool-dir';
import { checkVersions, explainRestoreFailure, pgRestoreVersion } from './versions';
import type { Client } from 'pg';
import { promises as fs } from 'node:fs';


function utcStamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
}

async function createMarked(server: Client, name: string, manifest: Manifest): Promise<void> {
  const c = manifest.consistency ?? {};
  const text = (k: string) => (typeof c[k] === 'string' ? c[k] as string : undefined);
  await createDatabase(server, name, { encoding: text('encoding'), collate: text('collate'), ctype: text('ctype') });
  await server.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${IN_PROGRESS}'`);
}

/**
 * Databases an earlier attempt of a restore to `name` created beside it and never finished (the worker died).
 * Two restores to one destination never run at once, so a marked one is no live restore's.
 */
async function dropLeftovers(server: Client, name: string): Promise<void> {
  const prefix = fitName(name, `_incoming_${'0'.repeat(15)}`).slice(0, -15);
  const rows = (await server.query<{ d: string }>(
    `SELECT datname AS d FROM pg_database WHERE starts_with(datname, $1) AND shobj_description(oid, 'pg_database') = $2`, [prefix, IN_PROGRESS])).rows;
  for (const { d } of rows) await dropDatabase(server, d);
}

type Plan = { into: 'new' | 'empty' | 'beside'; serverVersion: string };

async function plan(dest: Destination<PostgresTarget>, manifest: Manifest, opts: RestoreOptions, restoreVersion: string): Promise<Plan> {
  const name = dest.target.database;
  return withServer(dest.target, async (server) => {
    const serverVersion = (await server.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    checkVersions(manifest, restoreVersion, serverVersion);
    await dropLeftovers(server, name);
    if (!(await databaseExists(server, name))) return { into: 'new', serverVersion };
    if ((await comment(server, name)) === IN_PROGRESS) {
      // An earlier attempt of this restore created it and did not finish: start again from nothing.
      await dropDatabase(server, name);
      return { into: 'new', serverVersion };
    }
    const contents = await withDatabase(dest.target, describeContents);
    if (contents.objects === 0) return { into: 'empty', serverVersion };
    if (!opts.replace) {
      throw new PermanentError(`refusing to restore into ${dest.label}: it is not empty (${contents.tables} table(s), ${contents.objects} object(s)`
        + `${contents.example ? `, e.g. ${contents.example}` : ''}); restore into a new database, or replace it (--force) to keep it renamed aside`);
    }
    return { into: 'beside', serverVersion };
  });
}

export async function restorePostgres(
  dest: Destination<PostgresTarget>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions,
): Promise<RestoreOutcome> {
  const artifact = manifest.artifacts.find((a) => a.part === '');
  if (!artifact) throw new PermanentError(`backup ${manifest.backupId ?? ''} has no pg_dump artifact`);
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new PermanentError(`jobs must be a whole number from 1 to 64, got ${jobs}`);
  const restoreVersion = pgRestoreVersion();
  if (adoptedFormat(manifest) === 'pg-plain-sql') {
    // An adopted plain-SQL dump (plain-sql.ts): verified by a full read first when not yet, then streamed into psql.
    const verified = opts.verify ? await opts.verify() : undefined;
    const outcome = await restoreArchive(dest, manifest, ctx, opts, { jobs, restoreVersion, source: { kind: 'stream', artifact } });
    return { ...outcome, ...(verified ? { verified } : {}) };
  }
  const dir = await makeSpoolDir();
  try {
    // Verified (when not yet) before anything below touches a database.
    ctx.heartbeat({ phase: opts.verify ? 'verifying' : 'reading' });
    const prepared = await prepareArchive({ artifact, counts: manifest.counts, ctx, jobs: opts.jobs, dir, ...(opts.verify ? { verify: opts.verify } : {}) });
    const outcome = await restoreArchive(dest, manifest, ctx, opts, { jobs: prepared.jobs, chosen: prepared.chosen, restoreVersion, source: prepared.source });
    const v = prepared.verified;
    outcome.notes.push(`archive ${prepared.how}; phases: ${v ? `verify ${secs(v.ms ?? 0)}, ` : ''}${outcome.notes.pop()!}`);
    return { ...outcome, ...(v ? { verified: v } : {}) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function restoreArchive(
  dest: Destination<PostgresTarget>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions,
  run: { jobs: number; chosen?: boolean; restoreVersion: string; source: ArchiveSource },
): Promise<RestoreOutcome> {
  const { restoreVersion } = run;
  const { into, serverVersion } = await plan(dest, manifest, opts, restoreVersion);
  // Jobs Cairn chose run only into a database it creates (and drops if the restore fails): an existing empty
  // database gets one transaction, from the same spool file.
  const jobs = run.chosen && into === 'empty' ? 1 : run.jobs;
  const name = dest.target.database;
  const stamp = utcStamp();
  const work = into === 'beside' ? fitName(name, `_incoming_${stamp}`) : name;
  const target = { ...dest.target, database: work };
  const notes: string[] = [];
  if (into !== 'empty') await withServer(target, (server) => createMarked(server, work, manifest));

  const beat = setInterval(() => ctx.heartbeat({ phase: 'restoring', database: work }), 5_000);
  let restoreMs = 0;
  let analyzeMs = 0;
  try {
    const began = Date.now();
    await (adoptedFormat(manifest) === 'pg-plain-sql' ? runPsqlScript : runPgRestore)({ target, source: run.source, jobs, keepOwnership: opts.keepOwnership ?? false, ctx });
    restoreMs = Date.now() - began;
    ctx.heartbeat({ phase: 'analyzing', database: work });
    await analyzeAll(target);
    analyzeMs = Date.now() - began - restoreMs;
  } catch (err) {
    if (into !== 'empty') {
      // No half-restored database may be left looking done.
      await withServer(target, (server) => dropDatabase(server, work)).catch(() => undefined);
    } else if (jobs > 1) {
      notes.push(`database ${name} may hold part of the failed restore (parallel restores are not one transaction)`);
    }
    const explained = explainRestoreFailure(err as Error, restoreVersion, serverVersion);
    if (notes.length) explained.message += `; ${notes.join('; ')}`;
    throw explained;
  } finally {
    clearInterval(beat);
  }

  await withServer(target, async (server) => {
    if (into === 'beside') {
      const kept = fitName(name, `_replaced_${stamp}`);
      await renameDatabase(server, name, kept);
      try {
        await renameDatabase(server, work, name);
      } catch (err) {
        await renameDatabase(server, kept, name).catch(() => undefined);
        throw err;
      }
      notes.push(`restored beside the existing database, then swapped: previous database kept as ${kept} (never dropped by Cairn)`);
    }
    if (into !== 'empty') await server.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS NULL`);
  });
  const tool = adoptedFormat(manifest) === 'pg-plain-sql' ? 'psql' : 'pg_restore';
  notes.push(`${into === 'new' ? 'created' : into === 'empty' ? 'restored into the existing empty database' : 'replaced'} ${dest.label}`
    + ` with ${howItRan(tool, jobs, run.chosen ?? false, run.source)}`);
  notes.push(`${tool} ${secs(restoreMs)}, ANALYZE ${secs(analyzeMs)}`);
  return { notes };
}

/**
 * ANALYZE of every table, largest first, on two connections: one `ANALYZE` is one backend, which left the second
 * core idle for most of its ~1 s per GB.
 */
async function analyzeAll(target: PostgresTarget, connections = 2): Promise<void> {
  await withDatabase(target, async (db) => {
    const tables = (await db.query<{ t: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relpersistence <> 't'
       ORDER BY pg_total_relation_size(c.oid) DESC`)).rows.map((r) => r.t);
    let next = 0;
    const drain = async (client: Client) => { while (next < tables.length) await client.query(`ANALYZE ${tables[next++]!}`); };
    const others = Array.from({ length: Math.min(connections, tables.length) - 1 }, () => withDatabase(target, drain));
    await Promise.all([drain(db), ...others]);
  });
}

function howItRan(tool: string, jobs: number, chosen: boolean, source: ArchiveSource): string {
  if (jobs > 1) return `${tool} -j ${jobs} from a spool file (deleted)${chosen ? ' (jobs chosen by Cairn; --jobs 1 restores in one transaction)' : ''}`;
  return `${tool}${source.kind === 'file' ? ' from a verified spool file (deleted)' : ' streamed'} in one transaction`;
}
