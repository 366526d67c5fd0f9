/**
 * Fingerprints and schema of a live database, computed the same way the export computes them (fingerprint.ts),
 * streamed in one read transaction so memory stays flat. Two modes:
 *   - 'restored': right after a restore loaded the data, while every node still carries its export id in the
 *     temporary property: both sums (keyed and content), the temporaries left out of labels and properties;
 *   - 'live': any database at any time: content sums only.
 */
import neo4j, { Driver } from 'neo4j-driver';
import type { ReadContext } from '../engine';
import { TMP_LABEL_NAME } from './contents';
import { FingerprintSum, nodeTexts, relTexts, sortedStatements } from './fingerprint';
import { propsJson, type PropertyPair } from './properties';
import { pairsExpression, type PairsExpression } from './property-query';

export const TMP_PROP_NAME = '__cairnId';
const FETCH_SIZE = 2000;
const PROGRESS_EVERY = 5000;

const nodesQuery = (pairs: PairsExpression): string =>
  `MATCH (n) WITH n, properties(n) AS p RETURN n.${TMP_PROP_NAME} AS id, labels(n) AS labels, ${pairs('p')} AS props`;
const relsQuery = (pairs: PairsExpression): string => `MATCH (a)-[r]->(b) WITH a, r, b, properties(r) AS p
  RETURN a.${TMP_PROP_NAME} AS start, b.${TMP_PROP_NAME} AS end, type(r) AS type, ${pairs('p')} AS props`;

export interface GraphFingerprint { nodes: FingerprintSum; relationships: FingerprintSum }

type Progress = Pick<ReadContext, 'heartbeat' | 'signal'>;

export async function fingerprintDatabase(driver: Driver, database: string, mode: 'restored' | 'live', ctx: Progress): Promise<GraphFingerprint> {
  const keyed = mode === 'restored';
  const pairs = await pairsExpression(driver, database);
  const fp: GraphFingerprint = { nodes: new FingerprintSum(), relationships: new FingerprintSum() };
  const session = driver.session({ database, defaultAccessMode: neo4j.session.READ, fetchSize: FETCH_SIZE });
  const tick = (): void => {
    if (ctx.signal.aborted) throw new Error('neo4j fingerprint scan cancelled');
    const done = fp.nodes.count + fp.relationships.count;
    if (done % PROGRESS_EVERY === 0) ctx.heartbeat({ phase: 'fingerprint', nodes: fp.nodes.count, relationships: fp.relationships.count });
  };
  try {
    const tx = await session.beginTransaction({ metadata: { app: 'cairn', purpose: 'fingerprint' } });
    try {
      for await (const r of tx.run(nodesQuery(pairs))) {
        const labels = (r.get('labels') as string[]).filter((l) => !keyed || l !== TMP_LABEL_NAME);
        // A restore's temporary id is not part of the graph; a live database's property of that name is.
        const props = propsJson(r.get('props') as PropertyPair[], keyed ? TMP_PROP_NAME : undefined);
        const t = nodeTexts(r.get('id') as string | null, labels, props);
        fp.nodes.add(keyed ? t.keyed : null, t.content);
        tick();
      }
      for await (const r of tx.run(relsQuery(pairs))) {
        const t = relTexts(null, r.get('type') as string, r.get('start') as string | null, r.get('end') as string | null, propsJson(r.get('props') as PropertyPair[]));
        fp.relationships.add(keyed ? t.keyed : null, t.content);
        tick();
      }
    } finally {
      await tx.rollback();
    }
  } finally {
    await session.close();
  }
  return fp;
}

/** The same statements the export lists (constraints, and indexes neither LOOKUP nor constraint-owned), sorted. */
export async function schemaStatements(driver: Driver, database: string): Promise<string[]> {
  const opts = { database, routing: neo4j.routing.READ };
  const statements = async (q: string): Promise<string[]> =>
    (await driver.executeQuery(q, {}, opts)).records.map((r) => r.get('s') as string);
  return sortedStatements([
    ...await statements('SHOW CONSTRAINTS YIELD createStatement RETURN createStatement AS s'),
    ...await statements("SHOW INDEXES YIELD type, owningConstraint, createStatement WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN createStatement AS s"),
  ]);
}
