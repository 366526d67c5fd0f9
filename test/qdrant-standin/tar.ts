/**
 * A minimal POSIX ustar writer and reader for the stand-in's snapshot files (regular files only).
 * Cairn's engine has its own streaming tar checker; keeping the two separate lets each catch the other.
 */
const BLOCK = 512;

export interface TarEntry { name: string; data: Buffer }

export function writeTar(entries: TarEntry[], mtime = new Date()): Buffer {
  const parts: Buffer[] = [];
  for (const { name, data } of entries) {
    parts.push(header(name, data.length, mtime), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
  return Buffer.concat(parts);
}

function header(name: string, size: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long for ustar: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.floor(mtime.getTime() / 1000));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write('0', 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.write('qdrant', 265, 'latin1');
  h.write('qdrant', 297, 'latin1');
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

/** Reads every entry; throws naming the problem when the archive is not whole. */
export function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  for (;;) {
    if (pos + BLOCK > buf.length) throw new Error(`tar archive truncated at byte ${pos} (no end-of-archive marker)`);
    const h = buf.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) return entries;
    const stored = parseInt(h.toString('latin1', 148, 156).replace(/[\0 ]/g, ''), 8);
    const actual = h.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 0x20 : b), 0);
    if (stored !== actual) throw new Error(`tar header checksum mismatch at byte ${pos}`);
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(h.toString('latin1', 124, 136).replace(/[\0 ]/g, '') || '0', 8);
    const start = pos + BLOCK;
    if (start + size > buf.length) throw new Error(`tar archive truncated inside entry ${name}`);
    if (h[156] === 0x30 || h[156] === 0) entries.push({ name, data: buf.subarray(start, start + size) });
    pos = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}
