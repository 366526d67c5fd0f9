/**
 * Online export of a whole Neo4j database through the driver into the NDJSON format (FORMAT.md).
 * Everything is read in ONE read transaction and streamed: records are pulled from the server
 * only as fast as storage accepts the bytes, so memory stays flat whatever the graph's size.
 */
import { Readable } from 'node:stream';
import neo4j, { Transaction } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import type { BackupContext, EngineBackupResult } from '../engine';
import { FORMAT, FORMAT_VERSION, HeaderLine, toNdjson } from './artifact';
import { serverVersion, withDriver } from './connect';
import { GraphCounts } from './counts';
import { FINGERPRINT_ALGORITHM, FingerprintSum, nodeTexts, relTexts, sortedStatements, type Neo4jProof } from './fingerprint';
import { propsJson, type PropertyPair } from './properties';
import { pairsExpression, type PairsExpression } from './property-query';

// Records per PULL. Larger batches measured no faster (decoding, not round trips, is the client's cost) and
// raised the worker's peak: buffered records outlive young-generation collections and are promoted.
const FETCH_SIZE = 2000;
const PROGRESS_EVERY = 5000;
// Lines are handed on in chunks of about this many characters: a stream chunk per line cost more in stream and
// gzip bookkeeping than encoding the line did.
const CHUNK_CHARS = 64 * 1024;
// gzip level 1: about three times faster than the default 6 on this NDJSON, for a somewhat larger object.
const GZIP_LEVEL = 1;

const CONSTRAINTS = 'SHOW CONSTRAINTS YIELD name, type, createStatement RETURN name, type, createStatement ORDER BY name';
// Constraint-owned indexes come back with their constraint; the two LOOKUP indexes exist in every
// new database already (re-creating them fails as "equivalent index already exists").
const INDEXES = `SHOW INDEXES YIELD name, type, owningConstraint, createStatement
  WHERE owningConstraint IS NULL AND type <> 'LOOKUP' RETURN name, type, createStatement ORDER BY name`;
// Fields are read by position, in this order.
const nodesQuery = (pairs: PairsExpression): string =>
  `MATCH (n) WITH n, properties(n) AS p RETURN elementId(n) AS id, labels(n) AS labels, ${pairs('p')} AS props`;
const relsQuery = (pairs: PairsExpression): string => `MATCH (a)-[r]->(b) WITH a, r, b, properties(r) AS p
  RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS start, elementId(b) AS end, ${pairs('p')} AS props`;

interface Totals { nodes: number; relationships: number }

/** What the export learns while streaming, read once the artifact is stored. */
interface ExportState {
  pairs: PairsExpression;
  counts: GraphCounts;
  schema: { constraints: number; indexes: number };
  statements: string[];
  /** null when the proof is turned off */
  fingerprints: { nodes: FingerprintSum; relationships: FingerprintSum } | null;
  atStart: Totals;
  atEnd?: Totals;
  finishedAt?: string;
}

export interface ExportOptions {
  /** fingerprint every node and relationship while streaming (FORMAT.md, "Proof"); on unless turned off */
  proof?: boolean;
}

export function exportGraph(target: Neo4jTarget, ctx: BackupContext, opts: ExportOptions = {}): Promise<EngineBackupResult> {
  return withDriver(target, async (driver) => {
    const server = await serverVersion(driver, target.database);
    const pairs = await pairsExpression(driver, target.database);
    const session = driver.session({ database: target.database, defaultAccessMode: neo4j.session.READ, fetchSize: FETCH_SIZE });
    let tx: Transaction | undefined;
    try {
      tx = await session.beginTransaction({ metadata: { app: 'cairn', purpose: 'backup' } });
      const startedAt = (await tx.run('RETURN toString(datetime.transaction()) AS t')).records[0].get('t') as string;
      const state: ExportState = {
        pairs, counts: new GraphCounts(), schema: { constraints: 0, indexes: 0 }, statements: [], atStart: await storeTotals(tx),
        fingerprints: opts.proof === false ? null : { nodes: new FingerprintSum(), relationships: new FingerprintSum() },
      };
      const header: HeaderLine = {
        kind: 'header', format: FORMAT, version: FORMAT_VERSION, neo4jVersion: server.version, edition: server.edition,
        database: target.database, exportedAt: startedAt,
        consistency: { isolation: 'read-committed', singleTransaction: true, transactionStartedAt: startedAt },
      };
      const artifact = await ctx.writeArtifact(
        { part: '', extension: 'ndjson.gz', compress: true, compressLevel: GZIP_LEVEL, contentType: 'application/x-ndjson', meta: { format: FORMAT, formatVersion: FORMAT_VERSION } },
        Readable.from(exportLines(tx, header, state, ctx), { objectMode: false }),
      );
      await tx.commit();
      const counts = state.counts.toCounts();
      const exported = { nodes: state.counts.nodes, relationships: state.counts.relationships };
      const writesDetected = !sameTotals(state.atStart, state.atEnd) || !sameTotals(state.atStart, exported);
      if (writesDetected) {
        ctx.log('neo4j: the graph changed during the export; the backup is not a single point in time', {
          target: target.name, atStart: state.atStart, atEnd: state.atEnd, exported,
        });
      }
      return {
        artifacts: [artifact],
        sourceVersion: server.version,
        counts,
        ...(state.fingerprints ? { proof: proofOf(state.fingerprints, state.statements) } : {}),
        consistency: {
          ...header.consistency,
          finishedAt: state.finishedAt,
          storeCountsAtStart: state.atStart,
          storeCountsAtEnd: state.atEnd,
          writesDetected,
          // Community does not expose it (SHOW DATABASES.lastCommittedTxn is null, no JMX beans).
          lastCommittedTxId: null,
          note: 'read-committed: one read transaction does not freeze a snapshot in Neo4j, so writes committed '
            + 'during the export may be partly included; pause writes for a point-in-time backup. '
            + 'writesDetected compares count-store totals and can miss writes that leave them unchanged.',
        },
      };
    } finally {
      if (tx?.isOpen()) await tx.rollback();
      await session.close();
    }
  });
}

async function* exportLines(tx: Transaction, header: HeaderLine, st: ExportState, ctx: BackupContext): AsyncGenerator<string> {
  yield toNdjson(header);
  for await (const r of tx.run(CONSTRAINTS)) {
    st.schema.constraints++;
    st.statements.push(r.get('createStatement') as string);
    yield toNdjson({ kind: 'constraint', name: r.get('name'), type: r.get('type'), create: r.get('createStatement') });
  }
  for await (const r of tx.run(INDEXES)) {
    st.schema.indexes++;
    st.statements.push(r.get('createStatement') as string);
    yield toNdjson({ kind: 'index', name: r.get('name'), type: r.get('type'), create: r.get('createStatement') });
  }
  const progress = (phase: string): void => {
    const done = st.counts.nodes + st.counts.relationships;
    if (done % PROGRESS_EVERY === 0) {
      ctx.heartbeat({ phase, nodes: st.counts.nodes, relationships: st.counts.relationships });
    }
  };
  let chunk = '';
  for await (const r of tx.run(nodesQuery(st.pairs))) {
    if (ctx.signal.aborted) throw new Error('neo4j export cancelled');
    const id = r.get(0) as string;
    const labels = r.get(1) as string[];
    st.counts.addNode(labels);
    const texts = entity('node', id, () => nodeTexts(id, labels, propsJson(r.get(2) as PropertyPair[])));
    st.fingerprints?.nodes.add(texts.keyed, texts.content);
    chunk += texts.line;
    if (chunk.length >= CHUNK_CHARS) { yield chunk; chunk = ''; }
    progress('nodes');
  }
  for await (const r of tx.run(relsQuery(st.pairs))) {
    if (ctx.signal.aborted) throw new Error('neo4j export cancelled');
    const id = r.get(0) as string;
    const type = r.get(1) as string;
    st.counts.addRelationship(type);
    const texts = entity('relationship', id, () => relTexts(id, type, r.get(2) as string, r.get(3) as string, propsJson(r.get(4) as PropertyPair[])));
    st.fingerprints?.relationships.add(texts.keyed, texts.content);
    chunk += texts.line;
    if (chunk.length >= CHUNK_CHARS) { yield chunk; chunk = ''; }
    progress('relationships');
  }
  if (chunk) yield chunk;
  st.atEnd = await storeTotals(tx);
  st.finishedAt = new Date().toISOString();
  ctx.heartbeat({ phase: 'done', nodes: st.counts.nodes, relationships: st.counts.relationships });
  yield toNdjson({ kind: 'trailer', counts: st.counts.toCounts(), schema: st.schema, finishedAt: st.finishedAt });
}

function entity<R>(what: string, id: string, encode: () => R): R {
  try {
    return encode();
  } catch (err) {
    throw new Error(`cannot export ${what} ${id}: ${(err as Error).message}`);
  }
}

function proofOf(fp: { nodes: FingerprintSum; relationships: FingerprintSum }, statements: string[]): Neo4jProof {
  return {
    algorithm: FINGERPRINT_ALGORITHM, nodes: fp.nodes.toJSON(), relationships: fp.relationships.toJSON(), schema: sortedStatements(statements),
  };
}

/** Count-store totals (constant time), compared before and after to notice concurrent writes. */
async function storeTotals(tx: Transaction): Promise<Totals> {
  const one = async (q: string): Promise<number> => (await tx.run(q)).records[0].get(0).toNumber();
  return { nodes: await one('MATCH (n) RETURN count(n)'), relationships: await one('MATCH ()-[r]->() RETURN count(r)') };
}

const sameTotals = (a: Totals, b?: Totals): boolean => !!b && a.nodes === b.nodes && a.relationships === b.relationships;
