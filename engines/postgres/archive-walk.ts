/**
 * A structural walk of a pg_dump custom-format archive as it streams past: the header, the whole table of
 * contents, then every data block's framing (block type, TOC id, each length-prefixed chunk to the terminating
 * zero), without inflating compressed chunks. It proves what a truncated, spliced or misframed archive cannot
 * pass: every TOC entry that has data has exactly one whole block, nothing follows the last one, and every table
 * the source counted rows in has a non-empty data block. The format is pg_dump's (src/bin/pg_dump/
 * pg_backup_archiver.c ReadHead/ReadToc, pg_backup_custom.c); archive versions it does not know are reported as
 * not walked, and the caller falls back to reading the stored object back.
 *
 * Asked to (rowSums), it also fingerprints every table's rows on the way (row-hash.ts): that needs an archive whose
 * data pg_dump did not compress (-Z0, compressed after it leaves pg_dump, or not at all).
 *
 * Memory: the header and TOC are held until parsed (bounded by MAX_TOC_BYTES), the data blocks are skipped.
 */
import { RowSum, type RowsFingerprint } from './row-hash';

const MAGIC = 'PGDMP';
const MAX_TOC_BYTES = 64 * 1024 * 1024;
const BLK_DATA = 1;
const BLK_BLOBS = 3;
const K_OFFSET_NO_DATA = 3;
/** Archive versions walked: 1.12 (pg_dump 9.5) to 1.16 (pg_dump 17), as MAKE_ARCHIVE_VERSION encodes them. */
const v = (maj: number, min: number, rev = 0) => (maj * 256 + min) * 256 + rev;
const OLDEST = v(1, 12);
const NEWEST = v(1, 16);
/** The newest pg_dump major whose archives the walk reads: rows of a newer one are fingerprinted by the server. */
export const NEWEST_WALKED_PG_DUMP = 17;

interface TocEntry { id: number; desc: string; name: string; hasData: boolean }

export interface WalkResult {
  /** false: an archive version this walk does not know; nothing was proven */
  walked: boolean;
  version: string;
  entries: number;
  dataBlocks: number;
  /** "schema.table" of every TABLE DATA block with at least one non-empty chunk */
  tablesWithData: Set<string>;
  /** materialized views whose data is a REFRESH entry (no data block) */
  refreshed: Set<string>;
  /** with rowSums: "schema.table" -> its rows' fingerprint, for every TABLE DATA block */
  rows?: Record<string, RowsFingerprint>;
}

class NeedMore extends Error {}

/** A cursor over the header/TOC bytes; throws NeedMore when they end before the field does. */
class Cursor {
  pos = 0;
  intSize = 4;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new NeedMore();
    return this.buf[this.pos++]!;
  }
  int(): number {
    const sign = this.byte();
    let n = 0;
    for (let i = 0; i < this.intSize; i++) n += this.byte() * 2 ** (8 * i);
    return sign ? -n : n;
  }
  str(): string | null {
    const len = this.int();
    if (len < 0) return null;
    if (this.pos + len > this.buf.length) throw new NeedMore();
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

export class ArchiveWalker {
  private head: Buffer[] = [];
  private headBytes = 0;
  private toc: Map<number, TocEntry> | undefined;
  private version = 0;
  private intSize = 4;
  private unknownVersion = false;
  private readonly seen = new Set<number>();
  private readonly withData = new Set<string>();
  // Block phase: a small carry for fields split across chunks, what the next field is, and payload left to skip.
  private carry = Buffer.alloc(0);
  private expect: 'block' | 'chunk' | 'oid' | 'blobchunk' = 'block';
  private skip = 0;
  private block: TocEntry | undefined;
  private blockHasData = false;
  private blocks = 0;
  private readonly sums: Map<string, RowSum> | undefined;
  private sum: RowSum | undefined;

  constructor(opts: { rowSums?: boolean } = {}) {
    this.sums = opts.rowSums ? new Map() : undefined;
  }

  write(chunk: Buffer): void {
    if (this.unknownVersion) return;
    let off = 0;
    if (!this.toc) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      const all = Buffer.concat(this.head);
      let consumed: number;
      try {
        consumed = this.parseHead(all);
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
        if (this.headBytes > MAX_TOC_BYTES) throw new Error(`the archive's table of contents is larger than ${MAX_TOC_BYTES / 1048576} MiB`);
        this.head = [all];
        return;
      }
      this.head = [];
      if (this.unknownVersion) return;
      chunk = all;
      off = consumed;
    }
    this.walkBlocks(chunk, off);
  }

  /** After the last byte: throws when the archive ended anywhere but after a whole block, or is missing data. */
  end(counts: Record<string, number> = {}): WalkResult {
    const version = `${this.version >> 16}.${(this.version >> 8) & 255}.${this.version & 255}`;
    const result: WalkResult = { walked: false, version, entries: this.toc?.size ?? 0, dataBlocks: this.blocks, tablesWithData: this.withData, refreshed: new Set() };
    if (this.unknownVersion) {
      if (this.sums) throw new Error(`pg_dump archive version ${version} is not one this Cairn can read rows from`);
      return result;
    }
    if (!this.toc) throw new Error(`the archive ends inside its header or table of contents (${this.headBytes} bytes)`);
    if (this.expect !== 'block' || this.skip > 0 || this.carry.length) throw new Error(`the archive ends inside the data block of ${this.block?.name ?? 'an entry'}`);
    const missing = [...this.toc.values()].filter((e) => e.hasData && !this.seen.has(e.id));
    if (missing.length) throw new Error(`the archive has no data block for ${missing.slice(0, 5).map((e) => `${e.desc} ${e.name}`).join(', ')}`);
    for (const e of this.toc.values()) if (e.desc === 'MATERIALIZED VIEW DATA') result.refreshed.add(e.name);
    const empty = Object.entries(counts).filter(([t, rows]) => rows > 0 && !this.withData.has(t) && !result.refreshed.has(t)).map(([t]) => t);
    if (empty.length) throw new Error(`the archive has no data for table(s) ${empty.slice(0, 10).join(', ')} although the source had rows`);
    if (!this.sums) return { ...result, walked: true };
    const rows = Object.fromEntries([...this.sums].map(([t, sum]) => [t, sum.result()]));
    const short = Object.entries(counts).filter(([t, n]) => rows[t] && rows[t].rows !== n);
    if (short.length) {
      throw new Error(`the archive holds ${short.slice(0, 5).map(([t, n]) => `${rows[t]!.rows} row(s) of ${t} where the source counted ${n}`).join(', ')}`);
    }
    return { ...result, walked: true, rows };
  }

  /** Header and TOC from the start of the archive; returns the bytes they took. */
  private parseHead(buf: Buffer): number {
    const c = new Cursor(buf);
    if (buf.length < 5) throw new NeedMore();
    if (buf.toString('latin1', 0, 5) !== MAGIC) throw new Error('not a pg_dump custom-format archive (no PGDMP header)');
    c.pos = 5;
    const [maj, min, rev] = [c.byte(), c.byte(), c.byte()];
    this.version = v(maj, min, rev);
    if (this.version < OLDEST || this.version > NEWEST) {
      this.unknownVersion = true;
      return c.pos;
    }
    c.intSize = this.intSize = c.byte();
    const offSize = c.byte();
    const format = c.byte();
    if (format !== 1) throw new Error(`the archive is not in custom format (format byte ${format})`);
    const compressed = (this.version >= v(1, 15) ? c.byte() : c.int()) !== 0; // compression algorithm / level
    if (compressed && this.sums) throw new Error('pg_dump compressed this archive\'s data itself: its rows cannot be read on the stream');
    for (let i = 0; i < 7; i++) c.int(); // creation time
    c.str(); // database name
    c.str(); // server version
    c.str(); // pg_dump version
    const count = c.int();
    const toc = new Map<number, TocEntry>();
    for (let i = 0; i < count; i++) {
      const id = c.int();
      c.int(); // hadDumper
      c.str(); // table oid
      c.str(); // oid
      const tag = c.str() ?? '';
      const desc = c.str() ?? '';
      c.int(); // section
      c.str(); // defn
      c.str(); // drop statement
      c.str(); // copy statement
      const namespace = c.str();
      c.str(); // tablespace
      if (this.version >= v(1, 14)) c.str(); // table access method
      if (this.version >= v(1, 16)) c.int(); // relkind
      c.str(); // owner
      c.str(); // with oids
      while (c.str() !== null); // dependencies
      const dataState = c.byte();
      c.pos += offSize; // data offset (unknown when pg_dump wrote to a pipe)
      if (c.pos > buf.length) throw new NeedMore();
      toc.set(id, { id, desc, name: namespace ? `${namespace}.${tag}` : tag, hasData: dataState !== K_OFFSET_NO_DATA });
    }
    this.toc = toc;
    return c.pos;
  }

  /** The data blocks: framing only, payloads skipped. */
  private walkBlocks(chunk: Buffer, start: number): void {
    let off = start;
    const intBytes = 1 + this.intSize;
    while (off < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - off);
        if (this.expect === 'chunk') this.sum?.update(chunk, off, off + n);
        this.skip -= n;
        off += n;
        continue;
      }
      const width = this.expect === 'block' ? 1 + intBytes : intBytes;
      // A field split across chunks is gathered in the carry (at most 1 + 2 x 9 bytes); whole ones are read in place.
      if (this.carry.length || chunk.length - off < width) {
        const take = Math.min(width - this.carry.length, chunk.length - off);
        this.carry = Buffer.concat([this.carry, chunk.subarray(off, off + take)]);
        off += take;
        if (this.carry.length < width) return;
        const field = this.carry;
        this.carry = Buffer.alloc(0);
        this.step(field, 0);
      } else {
        this.step(chunk, off);
        off += width;
      }
    }
  }

  private readInt(field: Buffer, at: number): number {
    const n = this.intSize === 4 ? field.readUInt32LE(at + 1) : this.readWide(field, at + 1);
    return field[at] ? -n : n;
  }

  private readWide(field: Buffer, at: number): number {
    let n = 0;
    for (let i = 0; i < this.intSize; i++) n += field[at + i]! * 2 ** (8 * i);
    return n;
  }

  private step(field: Buffer, at: number): void {
    if (this.expect === 'block') {
      const type = field[at]!;
      const id = this.readInt(field, at + 1);
      const entry = this.toc!.get(id);
      if (type !== BLK_DATA && type !== BLK_BLOBS) throw new Error(`unknown data block type ${type} after ${this.blocks} block(s)`);
      if (!entry || !entry.hasData) throw new Error(`a data block for TOC id ${id}, which has no data entry`);
      if (this.seen.has(id)) throw new Error(`a second data block for ${entry.desc} ${entry.name}`);
      this.seen.add(id);
      this.blocks++;
      this.block = entry;
      this.blockHasData = false;
      this.expect = type === BLK_DATA ? 'chunk' : 'oid';
      this.sum = undefined;
      if (this.sums && entry.desc === 'TABLE DATA') this.sums.set(entry.name, this.sum = new RowSum());
      return;
    }
    const n = this.readInt(field, at);
    if (n < 0) throw new Error(`a negative length in the data block of ${this.block!.name}`);
    if (this.expect === 'oid') {
      this.expect = n === 0 ? 'block' : 'blobchunk';
      return;
    }
    if (n === 0) {
      this.expect = this.expect === 'chunk' ? 'block' : 'oid';
      return;
    }
    if (!this.blockHasData) {
      this.blockHasData = true;
      if (this.block!.desc === 'TABLE DATA') this.withData.add(this.block!.name);
    }
    this.skip = n;
  }
}
