/**
 * The data half of a restore: the export's nodes and relationships written in large batches. Rows are grouped by
 * label set (nodes) or type (relationships) so each query names them statically: Neo4j plans one query per group
 * and creates without evaluating a label expression per row. Relationship batches are sorted by start node, so
 * consecutive rows touch the same nodes and index pages. Memory is bounded by BATCH_BYTES of buffered lines
 * whatever the graph's size: when the buffer is full, its largest group is written.
 */
import type { Session } from 'neo4j-driver';
import type { ArtifactRecord, ReadContext } from '../engine';
import { readArtifact, type SchemaLine, type TrailerLine } from './artifact';
import { TMP_LABEL_NAME } from './contents';
import { quoteName } from './counts';
import { decodeProps, type Props } from './format';
import { TMP_PROP_NAME } from './scan';

const TMP_LABEL = quoteName(TMP_LABEL_NAME);
const TMP_PROP = quoteName(TMP_PROP_NAME);
/** rows per transaction: large enough that round trips and commits are a small share of the time */
const BATCH_ROWS = 10_000;
/** text of the lines buffered over all groups; decoded rows take a few times this */
const BATCH_BYTES = 8 * 1024 * 1024;

export interface LoadProgress { nodes: number; relationships: number; dangling: number }

interface NodeRow { id: string; props: Props }
interface RelRow { start: string; end: string; props: Props }
interface Group<R> { rows: R[]; bytes: number }

const nodeQuery = (labels: string[]): string =>
  `UNWIND $rows AS r CREATE (n:${[TMP_LABEL, ...labels.map(quoteName)].join(':')} {${TMP_PROP}: r.id}) SET n += r.props`;

const relQuery = (type: string): string => `UNWIND $rows AS r
  MATCH (a:${TMP_LABEL} {${TMP_PROP}: r.start}) MATCH (b:${TMP_LABEL} {${TMP_PROP}: r.end})
  CREATE (a)-[x:${quoteName(type)}]->(b) SET x = r.props RETURN count(x) AS created`;

/** Rows waiting to be written, by group key; flushes a group when it is full or the whole buffer is. */
class Batches<R> {
  private readonly groups = new Map<string, Group<R>>();
  private bytes = 0;

  constructor(private readonly write: (key: string, rows: R[]) => Promise<void>) {}

  async add(key: string, row: R, size: number): Promise<void> {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { rows: [], bytes: 0 }));
    g.rows.push(row);
    g.bytes += size;
    this.bytes += size;
    if (g.rows.length >= BATCH_ROWS) await this.flush(key);
    else if (this.bytes >= BATCH_BYTES) await this.flush(this.largest());
  }

  async flushAll(): Promise<void> {
    for (const key of [...this.groups.keys()]) await this.flush(key);
  }

  private largest(): string {
    let best = '';
    let size = -1;
    for (const [key, g] of this.groups) if (g.bytes > size) [best, size] = [key, g.bytes];
    return best;
  }

  private async flush(key: string): Promise<void> {
    const g = this.groups.get(key);
    if (!g) return;
    this.groups.delete(key);
    this.bytes -= g.bytes;
    await this.write(key, g.rows);
  }
}

const byStart = (a: RelRow, b: RelRow): number => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);

export async function loadData(session: Session, artifact: ArtifactRecord, ctx: ReadContext) {
  const schema: SchemaLine[] = [];
  const progress: LoadProgress = { nodes: 0, relationships: 0, dangling: 0 };
  let trailer: TrailerLine | undefined;
  let phase: 'nodes' | 'relationships' = 'nodes';

  const nodes = new Batches<NodeRow>(async (key, rows) => {
    await session.executeWrite((tx) => tx.run(nodeQuery(JSON.parse(key) as string[]), { rows }));
    progress.nodes += rows.length;
    ctx.heartbeat({ phase, ...progress });
  });
  const rels = new Batches<RelRow>(async (type, rows) => {
    rows.sort(byStart);
    const res = await session.executeWrite((tx) => tx.run(relQuery(type), { rows }));
    const created = res.records[0].get('created').toNumber() as number;
    progress.relationships += created;
    progress.dangling += rows.length - created;
    ctx.heartbeat({ phase, ...progress });
  });

  for await (const { line, size } of readArtifact(await ctx.open(artifact), artifact.key)) {
    if (ctx.signal.aborted) throw new Error('neo4j restore cancelled');
    if (line.kind === 'node') {
      await nodes.add(JSON.stringify(line.labels), { id: line.id, props: decodeProps(line.props) }, size);
    } else if (line.kind === 'rel') {
      if (phase === 'nodes') {
        // Every node exists before the first relationship looks its ends up.
        await nodes.flushAll();
        phase = 'relationships';
      }
      await rels.add(line.type, { start: line.start, end: line.end, props: decodeProps(line.props) }, size);
    } else if (line.kind === 'constraint' || line.kind === 'index') schema.push(line);
    else if (line.kind === 'trailer') trailer = line;
  }
  await nodes.flushAll();
  await rels.flushAll();
  // readArtifact throws when the trailer is missing, so it is set here.
  return { schema, trailer: trailer as TrailerLine, progress };
}
