/** What a database holds (inspect, restore's emptiness rule) and emptying it (restore with replace, drill teardown). */
import neo4j, { Driver } from 'neo4j-driver';
import { quoteName } from './counts';

/** The temporary label and constraint a restore puts on the nodes it creates (import.ts). */
export const TMP_LABEL_NAME = '__CairnRestore';
export const TMP_CONSTRAINT = 'cairn_restore_id';

export interface Contents {
  nodes: number;
  relationships: number;
  /** nodes still carrying a restore's temporary label: an interrupted Cairn restore left them */
  leftover: number;
  constraints: string[];
  /** user indexes: neither LOOKUP (every database has those) nor owned by a constraint */
  indexes: string[];
}

const DELETE_BATCH = 10_000;

export async function readContents(driver: Driver, database: string): Promise<Contents> {
  const opts = { database, routing: neo4j.routing.READ };
  const one = async (q: string): Promise<number> => (await driver.executeQuery(q, {}, opts)).records[0].get(0).toNumber();
  const names = async (q: string): Promise<string[]> =>
    (await driver.executeQuery(q, {}, opts)).records.map((r) => r.get('name') as string);
  return {
    nodes: await one('MATCH (n) RETURN count(n)'),
    relationships: await one('MATCH ()-[r]->() RETURN count(r)'),
    leftover: await one(`MATCH (n:${quoteName(TMP_LABEL_NAME)}) RETURN count(n)`),
    constraints: await names('SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name'),
    indexes: await names("SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name ORDER BY name"),
  };
}

export const isEmpty = (c: Contents): boolean => c.nodes === 0 && c.constraints.length === 0 && c.indexes.length === 0;

/** Nothing but what an interrupted Cairn restore created: safe to clear without asking, so a retry can proceed. */
export const onlyRestoreLeftovers = (c: Contents): boolean =>
  !isEmpty(c) && c.leftover === c.nodes && c.indexes.length === 0 && c.constraints.every((n) => n === TMP_CONSTRAINT);

export function describeContents(c: Contents): string {
  if (isEmpty(c)) return 'empty: no nodes, relationships, constraints or indexes';
  const list = (names: string[]): string => (names.length ? ` (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})` : '');
  const parts = [
    `${c.nodes} nodes`, `${c.relationships} relationships`,
    `${c.constraints.length} constraints${list(c.constraints)}`, `${c.indexes.length} indexes${list(c.indexes)}`,
  ];
  const leftover = c.leftover > 0 ? `; ${c.leftover} of the nodes were left by an interrupted Cairn restore` : '';
  return parts.join(', ') + leftover;
}

/**
 * Empties a database: constraints and indexes first (deleting is faster without index upkeep), then
 * relationships and nodes in bounded transactions, so a big graph neither needs one huge transaction's
 * memory nor goes long without a heartbeat. LOOKUP indexes stay: every database has them.
 */
export async function wipeDatabase(driver: Driver, database: string, heartbeat: (p: Record<string, unknown>) => void = () => undefined): Promise<void> {
  const before = await readContents(driver, database);
  const write = { database, routing: neo4j.routing.WRITE };
  for (const name of before.constraints) await driver.executeQuery(`DROP CONSTRAINT ${quoteName(name)} IF EXISTS`, {}, write);
  for (const name of before.indexes) await driver.executeQuery(`DROP INDEX ${quoteName(name)} IF EXISTS`, {}, write);
  const deleted = { relationships: 0, nodes: 0 };
  const drain = async (kind: keyof typeof deleted, query: string): Promise<void> => {
    for (;;) {
      const res = await driver.executeQuery(query, { batch: neo4j.int(DELETE_BATCH) }, write);
      const n = res.records[0].get('c').toNumber() as number;
      deleted[kind] += n;
      heartbeat({ phase: 'emptying', ...deleted });
      if (n < DELETE_BATCH) return;
    }
  };
  await drain('relationships', 'MATCH ()-[r]->() WITH r LIMIT $batch DELETE r RETURN count(*) AS c');
  // Every relationship is gone, so plain DELETE suffices; DETACH covers one created meanwhile.
  await drain('nodes', 'MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS c');
}
