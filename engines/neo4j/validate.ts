/**
 * Reads a stored export to its end without a database: every line must parse and every value
 * decode, a trailer must close the file, and the counts must agree three ways (what the lines
 * contain, what the trailer says, what the backup recorded).
 */
import type { ArtifactRecord, Counts, ReadContext } from '../engine';
import { readArtifact } from './artifact';
import { GraphCounts, diffCounts } from './counts';
import { decodeProps } from './format';

const PROGRESS_EVERY = 20_000;

export async function validateExport(artifacts: ArtifactRecord[], recorded: Counts, ctx: ReadContext): Promise<void> {
  const artifact = singleArtifact(artifacts);
  const found = new GraphCounts();
  let trailer: Counts | undefined;
  for await (const { line } of readArtifact(await ctx.open(artifact), artifact.key)) {
    if (ctx.signal.aborted) throw new Error('neo4j validation cancelled');
    if (line.kind === 'node') {
      found.addNode(line.labels);
      decodeOrThrow(artifact.key, `node ${line.id}`, line.props);
    } else if (line.kind === 'rel') {
      found.addRelationship(line.type);
      decodeOrThrow(artifact.key, `relationship ${line.id}`, line.props);
    } else if (line.kind === 'trailer') {
      trailer = line.counts;
    }
    if ((found.nodes + found.relationships) % PROGRESS_EVERY === 0) {
      ctx.heartbeat({ nodes: found.nodes, relationships: found.relationships });
    }
  }
  const counted = found.toCounts();
  const vsTrailer = diffCounts(trailer ?? {}, counted);
  if (vsTrailer.length) throw new Error(`${artifact.key}: its lines disagree with its own trailer: ${vsTrailer.join('; ')}`);
  const vsRecorded = diffCounts(recorded, counted);
  if (vsRecorded.length) throw new Error(`${artifact.key}: counts differ from the backup's recorded counts: ${vsRecorded.join('; ')}`);
}

export function singleArtifact(artifacts: ArtifactRecord[]): ArtifactRecord {
  if (artifacts.length !== 1) {
    throw new Error(`a neo4j backup has exactly one artifact, got ${artifacts.length} (${artifacts.map((a) => a.key).join(', ')})`);
  }
  return artifacts[0];
}

function decodeOrThrow(file: string, what: string, props: Parameters<typeof decodeProps>[0]): void {
  try {
    decodeProps(props);
  } catch (err) {
    throw new Error(`${file}: ${what}: ${(err as Error).message}`);
  }
}
