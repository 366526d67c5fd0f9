/**
 * Counts in one shape for backup, validate, restore and count():
 *   { nodes: { <label>: n }, relationships: { <TYPE>: n }, totals: { nodes, relationships } }
 * A node is counted once under each of its labels; nodes without labels under '' (Neo4j forbids
 * an empty label name, so it cannot clash). Labels and types with no entities are left out.
 */
import neo4j, { Driver } from 'neo4j-driver';
import type { Counts } from '../engine';

export const UNLABELLED = '';

export class GraphCounts {
  private readonly labels = new Map<string, number>();
  private readonly types = new Map<string, number>();
  nodes = 0;
  relationships = 0;

  addNode(labels: string[]): void {
    this.nodes++;
    for (const l of labels.length ? labels : [UNLABELLED]) this.labels.set(l, (this.labels.get(l) ?? 0) + 1);
  }

  addRelationship(type: string): void {
    this.relationships++;
    this.types.set(type, (this.types.get(type) ?? 0) + 1);
  }

  toCounts(): Counts {
    return {
      nodes: sortedObject(this.labels),
      relationships: sortedObject(this.types),
      totals: { nodes: this.nodes, relationships: this.relationships },
    };
  }
}

const sortedObject = (m: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...m].filter(([, v]) => v > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const quote = (name: string): string => '`' + name.replace(/`/g, '``') + '`';

/**
 * Exact live counts. Per-label and per-type counts come from Neo4j's count store (constant time);
 * only unlabelled nodes need a scan. All reads share one transaction.
 */
export async function liveCounts(driver: Driver, database: string): Promise<Counts> {
  const session = driver.session({ database, defaultAccessMode: neo4j.session.READ });
  try {
    return await session.executeRead(async (tx) => {
      const one = async (q: string): Promise<number> => (await tx.run(q)).records[0].get(0).toNumber();
      const labels = (await tx.run('CALL db.labels() YIELD label RETURN label')).records.map((r) => r.get(0) as string);
      const types = (await tx.run('CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType'))
        .records.map((r) => r.get(0) as string);
      const nodes = new Map<string, number>();
      for (const l of labels) nodes.set(l, await one(`MATCH (n:${quote(l)}) RETURN count(n)`));
      nodes.set(UNLABELLED, await one('MATCH (n) WHERE size(labels(n)) = 0 RETURN count(n)'));
      const rels = new Map<string, number>();
      for (const t of types) rels.set(t, await one(`MATCH ()-[r:${quote(t)}]->() RETURN count(r)`));
      return {
        nodes: sortedObject(nodes),
        relationships: sortedObject(rels),
        totals: { nodes: await one('MATCH (n) RETURN count(n)'), relationships: await one('MATCH ()-[r]->() RETURN count(r)') },
      };
    });
  } finally {
    await session.close();
  }
}

/** Human-readable differences, e.g. 'nodes.Person: expected 10, found 9'; empty when equal. */
export function diffCounts(expected: Counts, found: Counts): string[] {
  const out: string[] = [];
  for (const kind of new Set([...Object.keys(expected), ...Object.keys(found)])) {
    const e = expected[kind] ?? {};
    const f = found[kind] ?? {};
    for (const key of new Set([...Object.keys(e), ...Object.keys(f)])) {
      if ((e[key] ?? 0) !== (f[key] ?? 0)) {
        out.push(`${kind}.${key === UNLABELLED ? '(no label)' : key}: expected ${e[key] ?? 0}, found ${f[key] ?? 0}`);
      }
    }
  }
  return out;
}

export { quote as quoteName };
