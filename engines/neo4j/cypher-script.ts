/**
 * Restoring an adopted Cypher script (the Neo4j-to-R2 service's export) into an empty database: streamed from
 * the verified read statement by statement, writes batched into transactions, schema statements each in their
 * own (Neo4j refuses them beside writes). If anything fails, the database is emptied again, so it never looks
 * restored when it is not.
 */
import neo4j, { type ManagedTransaction, type Session } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import type { Manifest } from '../../storage/format/manifest';
import { PermanentError, type Destination, type ReadContext, type RestoreOptions, type RestoreOutcome } from '../engine';
import { withDriver } from './connect';
import { describeContents, isEmpty, readContents, wipeDatabase } from './contents';
import { commandProblem, isSchemaStatement, scriptItems } from './cypher-statements';
import { singleArtifact } from './validate';

/** Statements per write transaction: big enough to be quick, small enough to bound the server's transaction memory. */
const BATCH_STATEMENTS = 500;

export async function restoreCypherScript(dest: Destination<Neo4jTarget>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions): Promise<RestoreOutcome> {
  const artifact = singleArtifact(manifest.artifacts);
  const { target } = dest;
  if (!dest.created && target.name === manifest.target && !opts.replace) {
    throw new PermanentError(`restoring into the backup's own target "${target.name}" (${dest.label}) would overwrite it: `
      + 'ask for replace (--force) to do that deliberately, or restore elsewhere', 'Neo4jRestoreOverSource');
  }
  return withDriver(target, async (driver) => {
    const notes: string[] = [];
    const contents = await readContents(driver, target.database);
    if (!isEmpty(contents)) {
      if (!opts.replace) {
        throw new PermanentError(`refusing to restore into ${dest.label}: it is not empty (${describeContents(contents)}); `
          + 'restore into an empty database, or ask for replace (--force) to wipe it first', 'Neo4jTargetNotEmpty');
      }
      await wipeDatabase(driver, target.database, ctx.heartbeat);
      notes.push(`replaced the previous contents of ${dest.label} (${describeContents(contents)})`);
    }
    const session = driver.session({ database: target.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      const statements = await runScript(session, await ctx.open(artifact), ctx);
      notes.push(`ran the adopted Cypher script ${artifact.key} (${statements} statements) into ${dest.label}`);
      return { notes };
    } catch (err) {
      // Whatever ran is incomplete: empty the database again rather than leave it looking restored.
      await wipeDatabase(driver, target.database, ctx.heartbeat).catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code?.startsWith('Neo.ClientError.')) throw new PermanentError(`the Cypher script ${artifact.key} failed: ${(err as Error).message}`, 'CypherScriptFailed');
      throw err;
    } finally {
      await session.close();
    }
  });
}

async function runScript(session: Session, source: NodeJS.ReadableStream & import('node:stream').Readable, ctx: ReadContext): Promise<number> {
  let batch: string[] = [];
  let statements = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const work = batch;
    batch = [];
    await session.executeWrite(async (tx: ManagedTransaction) => {
      for (const text of work) await tx.run(text);
    });
    ctx.heartbeat({ phase: 'cypher-script', statements });
  };
  for await (const item of scriptItems(source)) {
    ctx.signal.throwIfAborted();
    if (item.kind === 'command') {
      const problem = commandProblem(item.text);
      if (problem) throw new PermanentError(problem, 'CypherScriptFailed');
      if (/^:schema/i.test(item.text)) { await flush(); await session.run('CALL db.awaitIndexes(300)'); }
      continue;
    }
    statements++;
    if (isSchemaStatement(item.text)) {
      await flush();
      await session.run(item.text);
      continue;
    }
    batch.push(item.text);
    if (batch.length >= BATCH_STATEMENTS) await flush();
  }
  await flush();
  await session.run('CALL db.awaitIndexes(300)');
  return statements;
}
