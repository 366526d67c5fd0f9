/**
 * Splits a Cypher script (the Neo4j-to-R2 service's export, or APOC's cypher-shell format) into statements as
 * it streams, never holding more than one statement: ';' ends a statement outside strings, quoted names and
 * comments; a line starting with ':' (cypher-shell's :begin, :commit, :schema await...) is a command.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export type ScriptItem = { kind: 'statement'; text: string } | { kind: 'command'; text: string };

/** Larger than any statement an export writes; a longer one means this is not a script of statements. */
const MAX_STATEMENT_CHARS = 64 * 1024 * 1024;

type State = 'code' | 'single' | 'double' | 'backtick' | 'line-comment' | 'block-comment';

class Splitter {
  private state: State = 'code';
  private current = '';
  private escaped = false;
  private command = false;

  /** Splits text[0..limit); characters from `limit` on are there only to look ahead. Returns where it stopped. */
  *take(text: string, limit = text.length): Generator<ScriptItem, number> {
    let i = 0;
    for (; i < limit; i++) {
      const ch = text[i]!;
      if (this.command) {
        if (ch === '\n') yield this.endCommand();
        else this.current += ch;
        continue;
      }
      if (this.state === 'code' && ch === ':' && this.current.trim() === '') {
        this.command = true;
        this.current = ':';
        continue;
      }
      switch (this.state) {
        case 'code':
          if (ch === ';') {
            const t = this.current.trim();
            this.current = '';
            if (t) yield { kind: 'statement', text: t };
            continue;
          }
          if (ch === "'") this.state = 'single';
          else if (ch === '"') this.state = 'double';
          else if (ch === '`') this.state = 'backtick';
          else if (ch === '/' && text[i + 1] === '/') { this.state = 'line-comment'; continue; }
          else if (ch === '/' && text[i + 1] === '*') { this.state = 'block-comment'; i++; this.current += ' '; continue; }
          break;
        case 'single':
        case 'double':
          if (this.escaped) this.escaped = false;
          else if (ch === '\\') this.escaped = true;
          else if ((ch === "'" && this.state === 'single') || (ch === '"' && this.state === 'double')) this.state = 'code';
          break;
        case 'backtick':
          if (ch === '`') this.state = 'code';
          break;
        case 'line-comment':
          if (ch === '\n') { this.state = 'code'; this.current += '\n'; }
          continue;
        case 'block-comment':
          if (ch === '*' && text[i + 1] === '/') { this.state = 'code'; i++; }
          continue;
      }
      this.current += ch;
      if (this.current.length > MAX_STATEMENT_CHARS) throw new Error(`a statement longer than ${MAX_STATEMENT_CHARS} characters: not a script of Cypher statements`);
    }
    return i;
  }

  private endCommand(): ScriptItem {
    this.command = false;
    const text = this.current.trim();
    this.current = '';
    return { kind: 'command', text };
  }

  *finish(): Generator<ScriptItem> {
    if (this.command) yield this.endCommand();
    if (this.state === 'single' || this.state === 'double' || this.state === 'backtick') throw new Error('the script ends inside a quoted string or name: it is truncated');
    if (this.state === 'block-comment') throw new Error('the script ends inside a /* comment */: it is truncated');
    const rest = this.current.trim();
    if (rest) throw new Error(`the script ends with a statement that has no ';' (${JSON.stringify(rest.slice(0, 60))}): it is truncated`);
  }
}

export async function* scriptItems(source: Readable): AsyncGenerator<ScriptItem> {
  const decoder = new StringDecoder('utf8');
  const splitter = new Splitter();
  // '//', '/*' and '*/' need one character of look-ahead: each chunk's last character waits for the next chunk.
  let carry = '';
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const text = carry + decoder.write(chunk);
    const end = yield* splitter.take(text, text.length - 1);
    carry = text.slice(end);
  }
  yield* splitter.take(carry + decoder.end());
  yield* splitter.finish();
}

/** cypher-shell commands a restore can honour (transactions are Cairn's own batching); others are named. */
export function commandProblem(command: string): string | undefined {
  const name = command.split(/\s+/)[0]!.toLowerCase();
  if ([':begin', ':commit'].includes(name)) return undefined;
  if (/^:schema\s+await\b/i.test(command)) return undefined;
  return `cypher-shell command ${JSON.stringify(command.slice(0, 40))} cannot be run through the driver`;
}

/** Schema statements must run in a transaction of their own (Neo4j refuses them beside writes). */
export const isSchemaStatement = (text: string): boolean =>
  /^(CREATE|DROP)\s+(OR\s+REPLACE\s+)?((UNIQUE|RANGE|TEXT|POINT|LOOKUP|FULLTEXT|VECTOR|BTREE)\s+)?(CONSTRAINT|INDEX)\b/i.test(text);
