/** Restores a dump into an existing, empty database, all or nothing. */
import { pipeline } from 'node:stream/promises';
import type { PostgresTarget } from '../../config/types';
import type { ArtifactRecord, ReadContext } from '../engine';
import { PermanentError } from '../engine';
import { connect, listTables } from './session';
import { exited, spawnPg } from './tools';

export async function restoreDump(target: PostgresTarget, artifacts: ArtifactRecord[], ctx: ReadContext): Promise<void> {
  const artifact = artifacts.find((a) => a.part === '');
  if (!artifact) throw new Error('the backup has no pg_dump artifact');
  const client = await connect(target);
  try {
    const tables = await listTables(client);
    if (tables.length) {
      throw new PermanentError(`refusing to restore into ${target.name} (${target.database}): it is not empty (${tables.length} table(s), e.g. ${tables[0]!.schema}.${tables[0]!.name})`);
    }
  } finally {
    await client.end();
  }
  const restore = spawnPg('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', '--no-password', `--dbname=${target.database}`], target, 'pipe');
  const done = exited(restore, `pg_restore into ${target.name}`);
  restore.stdout.resume();
  ctx.signal.addEventListener('abort', () => restore.kill('SIGTERM'), { once: true });
  await Promise.all([pipeline(await ctx.open(artifact), restore.stdin!).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  }), done]);
  const after = await connect(target);
  try {
    await after.query('ANALYZE');
  } finally {
    await after.end();
  }
}
