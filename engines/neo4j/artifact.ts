/** The lines of a Cairn Neo4j export (FORMAT.md), and a streaming reader that checks their order. */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Counts } from '../engine';
import type { Json } from './format';

export const FORMAT = 'cairn-neo4j-ndjson';
export const FORMAT_VERSION = 1;

export interface HeaderLine {
  kind: 'header';
  format: string;
  version: number;
  neo4jVersion: string;
  edition: string;
  database: string;
  exportedAt: string;
  consistency: Record<string, unknown>;
}
export interface SchemaLine { kind: 'constraint' | 'index'; name: string; type: string; create: string }
export interface NodeLine { kind: 'node'; id: string; labels: string[]; props: Record<string, Json> }
export interface RelLine { kind: 'rel'; id: string; type: string; start: string; end: string; props: Record<string, Json> }
export interface TrailerLine {
  kind: 'trailer';
  counts: Counts;
  schema: { constraints: number; indexes: number };
  finishedAt: string;
}
export type Line = HeaderLine | SchemaLine | NodeLine | RelLine | TrailerLine;

export const toNdjson = (line: Line): string => JSON.stringify(line) + '\n';

/** A parsed line and the length of its text, which lets readers size batches without re-serializing. */
export interface Parsed { line: Line; size: number }

/** Splits a byte stream into lines; pulling one chunk at a time keeps memory bounded. */
export async function* readLines(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

// A line kind may only follow kinds of the same or a lower rank: header, schema, nodes, relationships, trailer.
const RANK: Record<Line['kind'], number> = { header: 0, constraint: 1, index: 1, node: 2, rel: 3, trailer: 4 };

/**
 * Yields the parsed lines of an export, throwing (naming the line number) on anything malformed:
 * a missing or foreign header, lines out of order, text after the trailer, or no trailer at all,
 * which is what a truncated file looks like.
 */
export async function* readArtifact(stream: Readable, name: string): AsyncGenerator<Parsed> {
  let lineNo = 0;
  let last = -1;
  for await (const text of readLines(stream)) {
    lineNo++;
    if (text.trim() === '') continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      throw new Error(`${name}: line ${lineNo} is not valid JSON (the file is corrupt or truncated mid-line)`);
    }
    const rank = RANK[line?.kind];
    if (rank === undefined) throw new Error(`${name}: line ${lineNo} has an unknown kind ${JSON.stringify(line?.kind)}`);
    if (last < 0 && line.kind !== 'header') throw new Error(`${name}: does not start with a header line`);
    if (line.kind === 'header' && (line.format !== FORMAT || line.version !== FORMAT_VERSION)) {
      throw new Error(`${name}: format ${line.format} v${line.version} is not ${FORMAT} v${FORMAT_VERSION}`);
    }
    if (last === RANK.trailer) throw new Error(`${name}: line ${lineNo} follows the trailer`);
    if (rank < last || (rank === 0 && last === 0)) throw new Error(`${name}: line ${lineNo} (${line.kind}) is out of order`);
    last = rank;
    yield { line, size: text.length };
  }
  if (last < 0) throw new Error(`${name}: is empty`);
  if (last !== RANK.trailer) throw new Error(`${name}: ends without a trailer line after ${lineNo} lines: it is truncated`);
}
