/**
 * The age v1 header (https://age-encryption.org/v1): the version line, one stanza per recipient, each
 * holding the file key wrapped for that recipient, and an HMAC over all of it keyed from the file key.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AgeError } from './errors';

export const VERSION_LINE = 'age-encryption.org/v1';
/** Headers hold a few stanzas; anything this long is not a header we wrote or should trust. */
const MAX_HEADER_BYTES = 1 << 20;

export interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

/** Unpadded standard base64, as age writes it. */
export const b64 = (data: Buffer): string => data.toString('base64').replace(/=+$/, '');

/** Strict decoding: only canonical unpadded base64 is accepted (Node's own decoder is lenient). */
export function fromB64(text: string, what: string): Buffer {
  const data = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]*$/.test(text) || b64(data) !== text) throw new AgeError(`the header's ${what} is not canonical base64`, 'BadHeader');
  return data;
}

function stanzaText(s: Stanza): string {
  const body = b64(s.body);
  const lines: string[] = [];
  // Full 64-column lines, then a final shorter one (empty when the body fills whole lines).
  for (let i = 0; i <= body.length; i += 64) lines.push(body.slice(i, i + 64));
  return `-> ${[s.type, ...s.args].join(' ')}\n${lines.join('\n')}\n`;
}

function headerMac(fileKey: Buffer, upToDashes: string): Buffer {
  const key = Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), 'header', 32));
  return createHmac('sha256', key).update(upToDashes, 'latin1').digest();
}

export function encodeHeader(stanzas: Stanza[], fileKey: Buffer): Buffer {
  const upToDashes = `${VERSION_LINE}\n${stanzas.map(stanzaText).join('')}---`;
  return Buffer.from(`${upToDashes} ${b64(headerMac(fileKey, upToDashes))}\n`, 'latin1');
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** bytes the header took, so the payload starts right after */
  length: number;
  /** throws Tampered unless the MAC matches for this file key */
  verifyMac(fileKey: Buffer): void;
}

/** Parses a header from the start of `data`; undefined while more bytes are needed to see its end. */
export function parseHeader(data: Buffer, atEnd: boolean): ParsedHeader | undefined {
  const macStart = data.indexOf('\n--- ');
  const end = macStart < 0 ? -1 : data.indexOf('\n', macStart + 1);
  if (end < 0) {
    if (data.length > MAX_HEADER_BYTES) throw new AgeError('no age header end within the first MiB', 'BadHeader');
    if (atEnd) throw new AgeError(data.length ? 'the age header is cut short' : 'the object is empty, not an age file', data.length ? 'Truncated' : 'BadHeader');
    return undefined;
  }
  const text = data.subarray(0, end).toString('latin1');
  const lines = text.split('\n');
  if (lines[0] !== VERSION_LINE) throw new AgeError(`not an age v1 file (it does not start with '${VERSION_LINE}')`, 'BadHeader');
  const stanzas: Stanza[] = [];
  let i = 1;
  while (lines[i]?.startsWith('-> ')) {
    const [type, ...args] = lines[i]!.slice(3).split(' ');
    if (!type || [type, ...args].some((a) => !/^[\x21-\x7e]+$/.test(a))) throw new AgeError('an age stanza line is malformed', 'BadHeader');
    const bodyLines: string[] = [];
    for (i++; ; i++) {
      const line = lines[i];
      if (line === undefined || line.length > 64) throw new AgeError('an age stanza body is malformed', 'BadHeader');
      bodyLines.push(line);
      if (line.length < 64) break;
    }
    i++;
    stanzas.push({ type, args, body: fromB64(bodyLines.join(''), 'stanza body') });
  }
  const macLine = lines[i] ?? '';
  if (i !== lines.length - 1 || !macLine.startsWith('--- ')) throw new AgeError('the age header has stray lines', 'BadHeader');
  if (!stanzas.length) throw new AgeError('the age header has no recipient stanza', 'BadHeader');
  const mac = fromB64(macLine.slice(4), 'MAC');
  const upToDashes = text.slice(0, text.length - macLine.length + 3);
  return {
    stanzas,
    length: end + 1,
    verifyMac(fileKey) {
      const expected = headerMac(fileKey, upToDashes);
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new AgeError('the age header was altered (its MAC does not match)', 'Tampered');
    },
  };
}
