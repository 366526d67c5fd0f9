/**
 * Restore of an export into an empty database (emptied first when replace is asked), streamed in bounded batches:
 *   1. nodes get a temporary label + id property (unique-constrained) so relationships can find
 *      them, created in large batches grouped by label set (load.ts);
 *   2. relationships are matched on those temporary ids, batched by type and sorted by start node;
 *   3. the destination is fingerprinted while the ids are still there (the proof, FORMAT.md);
 *   4. the temporaries are removed, then constraints and indexes are created (after the data:
 *      bulk loading without index upkeep is faster) and awaited.
 * If loading fails, what was created is deleted again so a retry finds an empty database.
 */
import neo4j, { Driver, Session } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import type { Manifest } from '../../storage/format/manifest';
import { PermanentError, type Destination, type ReadContext, type RestoreOptions, type RestoreOutcome } from '../engine';
import type { SchemaLine, TrailerLine } from './artifact';
import { withDriver } from './connect';
import { TMP_CONSTRAINT, TMP_LABEL_NAME, describeContents, isEmpty, onlyRestoreLeftovers, readContents, wipeDatabase } from './contents';
import { quoteName } from './counts';
import { FINGERPRINT_ALGORITHM, type Neo4jProof } from './fingerprint';
import { loadData, type LoadProgress } from './load';
import { TMP_PROP_NAME, fingerprintDatabase, schemaStatements } from './scan';
import { awaitIndexes, createSchema } from './schema';
import { singleArtifact } from './validate';

const TMP_LABEL = quoteName(TMP_LABEL_NAME);
const TMP_PROP = quoteName(TMP_PROP_NAME);
type Progress = LoadProgress;

export async function restoreGraph(dest: Destination<Neo4jTarget>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions): Promise<RestoreOutcome> {
  const artifact = singleArtifact(manifest.artifacts);
  const target = dest.target;
  if (!dest.created && target.name === manifest.target && !opts.replace) {
    throw new PermanentError(`restoring into the backup's own target "${target.name}" (${dest.label}) would overwrite it: `
      + 'ask for replace (--force) to do that deliberately, or restore elsewhere', 'Neo4jRestoreOverSource');
  }
  return withDriver(target, async (driver) => {
    const notes = await makeEmpty(driver, dest, opts, ctx);
    const session = driver.session({ database: target.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      await session.run(`CREATE CONSTRAINT ${TMP_CONSTRAINT} IF NOT EXISTS FOR (n:${TMP_LABEL}) REQUIRE n.${TMP_PROP} IS UNIQUE`);
      await session.run('CALL db.awaitIndexes(300)');
      let loaded: { schema: SchemaLine[]; trailer: TrailerLine; progress: Progress };
      let fingerprint: Awaited<ReturnType<typeof fingerprintDatabase>>;
      try {
        loaded = await loadData(session, artifact, ctx);
        // Only now, while each node still carries its export id, can the keyed fingerprint be taken.
        fingerprint = await fingerprintDatabase(driver, target.database, 'restored', ctx);
      } catch (err) {
        await removeCreated(session, ctx);
        throw err;
      }
      await session.run(`MATCH (n:${TMP_LABEL}) CALL (n) { REMOVE n:${TMP_LABEL}, n.${TMP_PROP} } IN TRANSACTIONS OF 10000 ROWS`);
      await session.run(`DROP CONSTRAINT ${TMP_CONSTRAINT} IF EXISTS`);
      await createSchema(session, loaded.schema);
      await awaitIndexes(session, ctx);
      checkComplete(loaded.trailer, loaded.progress, artifact.key);
      const proof: Neo4jProof = {
        algorithm: FINGERPRINT_ALGORITHM, nodes: fingerprint.nodes.toJSON(), relationships: fingerprint.relationships.toJSON(),
        schema: await schemaStatements(driver, target.database),
      };
      ctx.log('neo4j restore finished', { destination: dest.label, ...loaded.progress, schema: loaded.schema.length });
      return { notes, proof };
    } finally {
      await session.close();
    }
  });
}

/**
 * A restore merges into nothing. An empty destination is used as is; one holding only what an interrupted
 * Cairn restore left is cleared (so a retried restore proceeds); anything else is refused unless replace.
 */
async function makeEmpty(driver: Driver, dest: Destination<Neo4jTarget>, opts: RestoreOptions, ctx: ReadContext): Promise<string[]> {
  const db = dest.target.database;
  const contents = await readContents(driver, db);
  if (isEmpty(contents)) return [];
  if (onlyRestoreLeftovers(contents)) {
    await wipeDatabase(driver, db, ctx.heartbeat);
    return [`cleared ${contents.leftover} nodes an interrupted Cairn restore had left in ${dest.label}`];
  }
  if (!opts.replace) {
    throw new PermanentError(`refusing to restore into ${dest.label}: it is not empty (${describeContents(contents)}); `
      + 'restore into an empty database, or ask for replace (--force) to wipe it first', 'Neo4jTargetNotEmpty');
  }
  ctx.log('neo4j restore: emptying the destination before restoring (replace)', { destination: dest.label });
  await wipeDatabase(driver, db, ctx.heartbeat);
  return [`replaced the previous contents of ${dest.label} (${describeContents(contents)})`];
}

/** After a failed load: delete what this restore created, so the database is empty again. */
async function removeCreated(session: Session, ctx: ReadContext): Promise<void> {
  try {
    await session.run(`MATCH (n:${TMP_LABEL}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`);
    await session.run(`DROP CONSTRAINT ${TMP_CONSTRAINT} IF EXISTS`);
  } catch (err) {
    ctx.log('neo4j restore: could not remove partly restored data; empty the database before retrying', {
      error: (err as Error).message,
    });
  }
}

function checkComplete(trailer: TrailerLine, progress: Progress, file: string): void {
  if (progress.dangling > 0) {
    throw new PermanentError(
      `${file}: ${progress.dangling} relationships reference nodes that are not in the backup, so they were not restored `
      + '(the graph was written to during an online export; pause writes while backing up)',
      'Neo4jDanglingRelationships',
    );
  }
  const t = trailer.counts.totals;
  if (progress.nodes !== t.nodes || progress.relationships !== t.relationships) {
    throw new Error(`${file}: restored ${progress.nodes} nodes and ${progress.relationships} relationships, `
      + `the backup holds ${t.nodes} and ${t.relationships}`);
  }
}
