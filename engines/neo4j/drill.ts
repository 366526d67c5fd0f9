/** What drills do with a restored destination: look at it, smoke-test it, run user checks on it, tear it down. */
import neo4j, { Neo4jError, isInt } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import { PermanentError, type CheckQuery, type Destination, type HealthCheck } from '../engine';
import { describeError, openDriver, serverVersion, withDriver } from './connect';
import { describeContents, isEmpty, onlyRestoreLeftovers, readContents, wipeDatabase } from './contents';
import { quoteName } from './counts';

const SMOKE_LABELS = 20;

/**
 * What the destination holds. Only the leftovers of an interrupted Cairn restore count as empty: they are no
 * one's data, and the restore clears them itself, so a restore retried after a crash needs no --force.
 */
export function inspectDestination(dest: Destination<Neo4jTarget>): Promise<{ empty: boolean; detail: string }> {
  return withDriver(dest.target, async (driver) => {
    const contents = await readContents(driver, dest.target.database);
    if (onlyRestoreLeftovers(contents)) {
      return { empty: true, detail: `holds only what an interrupted Cairn restore left (${describeContents(contents)}); a restore clears it first` };
    }
    return { empty: isEmpty(contents), detail: describeContents(contents) };
  });
}

/** Drill teardown: only a destination Cairn created (the drill instance) is emptied; emptying an empty one is fine. */
export async function dropDestination(dest: Destination<Neo4jTarget>): Promise<void> {
  if (!dest.created) {
    throw new PermanentError(`refusing to empty ${dest.label}: Cairn did not create it for this restore, so teardown leaves it alone`,
      'Neo4jDropRefused');
  }
  await withDriver(dest.target, (driver) => wipeDatabase(driver, dest.target.database));
}

export async function smokeChecks(dest: Destination<Neo4jTarget>): Promise<HealthCheck[]> {
  const { target } = dest;
  const db = target.database;
  const driver = openDriver(target);
  const checks: HealthCheck[] = [];
  try {
    try {
      const { version, edition } = await serverVersion(driver, db);
      checks.push({ check: 'neo4j answers', ok: true, detail: `${dest.label}: Neo4j ${version} ${edition}` });
    } catch (err) {
      checks.push({ check: 'neo4j answers', ok: false, detail: describeError(err, target).message, fix: 'check that the destination server is running' });
      return checks;
    }
    const status = await driver.executeQuery('SHOW DATABASE $db YIELD currentStatus RETURN currentStatus', { db }, { database: db });
    const current = String(status.records[0]?.get('currentStatus') ?? 'absent');
    checks.push({
      check: 'neo4j database online', ok: current === 'online', detail: `database "${db}" is ${current}`,
      ...(current === 'online' ? {} : { fix: 'see SHOW DATABASES and the Neo4j server log' }),
    });
    checks.push(await labelsReadable(driver, db));
    return checks;
  } finally {
    await driver.close();
  }
}

/** Reads one node of each label (the first SMOKE_LABELS by name): the store behind each label answers. */
async function labelsReadable(driver: ReturnType<typeof openDriver>, db: string): Promise<HealthCheck> {
  const opts = { database: db, routing: neo4j.routing.READ };
  const labels = (await driver.executeQuery('CALL db.labels() YIELD label RETURN label ORDER BY label', {}, opts))
    .records.map((r) => r.get('label') as string);
  const tried = labels.slice(0, SMOKE_LABELS);
  const unreadable: string[] = [];
  for (const label of tried) {
    const res = await driver.executeQuery(`MATCH (n:${quoteName(label)}) RETURN properties(n) AS p LIMIT 1`, {}, opts);
    if (res.records.length !== 1) unreadable.push(label);
  }
  const more = labels.length > tried.length ? ` (the first ${tried.length} of ${labels.length})` : '';
  if (unreadable.length) {
    return { check: 'neo4j nodes readable', ok: false, detail: `no node could be read for labels ${unreadable.join(', ')}`, fix: 'compare the counts in the proof report' };
  }
  return { check: 'neo4j nodes readable', ok: true, detail: tried.length ? `read one node of each of ${tried.length} labels${more}` : 'the database has no labels to read' };
}

/** A user's drill check: a read-only Cypher query returning exactly one row with one column, as text. */
export async function runCheck(dest: Destination<Neo4jTarget>, check: CheckQuery): Promise<string> {
  if (check.collection !== undefined) throw new PermanentError('a neo4j drill check takes a Cypher `query`, not a `collection`', 'Neo4jBadCheck');
  const query = check.query?.trim();
  if (!query) throw new PermanentError('a neo4j drill check needs a Cypher `query` returning one row with one column', 'Neo4jBadCheck');
  const res = await withDriver(dest.target, async (driver) => {
    try {
      return await driver.executeQuery(query, {}, { database: dest.target.database, routing: neo4j.routing.READ });
    } catch (err) {
      // A syntax error, an unknown function, or a write in a read-only check: the query itself must change.
      if (err instanceof Neo4jError && err.code.startsWith('Neo.ClientError.')) {
        throw new PermanentError(`drill check query failed: ${err.message}`, 'Neo4jBadCheck');
      }
      throw err;
    }
  });
  const columns = res.keys.length;
  if (res.records.length !== 1 || columns !== 1) {
    throw new PermanentError(`drill check query returned ${res.records.length} rows of ${columns} columns; `
      + `it must return exactly one row with one column: ${query.slice(0, 200)}`, 'Neo4jBadCheck');
  }
  return asText(res.records[0].get(0));
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (isInt(v) || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map(asText).join(', ')}]`;
  // Temporal values, points, nodes and paths print themselves; plain maps do not.
  if (Object.getPrototypeOf(v) !== Object.prototype) return String(v);
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${asText(x)}`).join(', ')}}`;
}
