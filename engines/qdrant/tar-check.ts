/**
 * Reads a snapshot stream to its end as a tar archive, without keeping it: every header's checksum,
 * every entry's full length and the end-of-archive marker (two zero blocks) must be there, so a
 * truncated or corrupted snapshot fails. Hashes the bytes (SHA-256) in the same pass.
 * Handles ustar and GNU headers as written by the Rust `tar` crate Qdrant uses (base-256 sizes too).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

const BLOCK = 512;

export interface TarSummary { entries: number; bytes: number; sha256: string }

export async function inspectTar(source: Readable): Promise<TarSummary> {
  const hash = createHash('sha256');
  const header = Buffer.alloc(BLOCK);
  let filled = 0;
  let skip = 0; // bytes of entry data (with padding) still to pass over
  let offset = 0; // archive offset of the block being read
  let entries = 0;
  let zeroBlocks = 0;
  let current = '';

  const onHeader = () => {
    const at = offset - BLOCK;
    if (header.every((b) => b === 0)) {
      zeroBlocks++;
      return;
    }
    if (zeroBlocks > 0) throw new Error(`data after the end-of-archive marker at byte ${at}`);
    const stored = parseOctal(header.subarray(148, 156));
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    if (stored !== sum) throw new Error(`header checksum mismatch at byte ${at}: not a tar archive, or corrupt`);
    if (!header.toString('latin1', 257, 262).startsWith('ustar')) throw new Error(`no ustar/GNU magic in the header at byte ${at}`);
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    current = (prefix ? `${prefix}/` : '') + header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const type = String.fromCharCode(header[156]);
    if (!'LKxg'.includes(type)) entries++; // long-name and pax records describe the next entry
    skip = Math.ceil(parseSize(header.subarray(124, 136), at) / BLOCK) * BLOCK;
  };

  for await (const chunk of source as AsyncIterable<Buffer>) {
    hash.update(chunk);
    let pos = 0;
    while (pos < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - pos);
        skip -= n;
        pos += n;
        offset += n;
        continue;
      }
      const n = Math.min(BLOCK - filled, chunk.length - pos);
      chunk.copy(header, filled, pos, pos + n);
      filled += n;
      pos += n;
      offset += n;
      if (filled === BLOCK) {
        filled = 0;
        onHeader();
      }
    }
  }
  if (skip > 0) throw new Error(`tar archive truncated inside entry "${current}" (${skip} bytes missing) at byte ${offset}`);
  if (filled > 0) throw new Error(`tar archive truncated: ${filled} stray bytes at its end (byte ${offset})`);
  if (zeroBlocks < 2) throw new Error(`tar archive truncated: it ends at byte ${offset} without the end-of-archive marker`);
  return { entries, bytes: offset, sha256: hash.digest('hex') };
}

function parseOctal(field: Buffer): number {
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Sizes of 8 GiB and more are stored base-256 (high bit set) by GNU tar and the Rust crate. */
function parseSize(field: Buffer, at: number): number {
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const n = parseOctal(field);
  if (!Number.isFinite(n)) throw new Error(`unreadable entry size in the header at byte ${at}`);
  return n;
}
