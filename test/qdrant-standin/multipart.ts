/**
 * Streams one file field of a multipart/form-data request to disk (hashing it on the way), the way
 * actix-multipart spools an uploaded snapshot into a temp file before Qdrant looks at it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { badRequest } from './errors';

export interface SpooledFile { path: string; size: number; sha256: string; fileName?: string }

export async function spoolMultipartFile(req: IncomingMessage, field: string, dest: string): Promise<{ fields: string[]; file?: SpooledFile }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
  if (!boundary) throw badRequest('expected a multipart/form-data body with a boundary');
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  const fields: string[] = [];
  let file: SpooledFile | undefined;
  let out: ReturnType<typeof createWriteStream> | undefined;
  let hash = createHash('sha256');
  let size = 0;
  // The first delimiter has no leading CRLF; pretend it had one so every part boundary looks alike.
  let pending = Buffer.from('\r\n');
  let state = 'preamble' as 'preamble' | 'headers' | 'body' | 'done';

  const write = async (chunk: Buffer) => {
    if (!out || chunk.length === 0) return;
    size += chunk.length;
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out!.once('drain', () => resolve()));
  };
  const finishPart = async () => {
    if (!out) return;
    const stream = out;
    out = undefined;
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    file = { ...file!, size, sha256: hash.digest('hex') };
  };

  try {
    for await (const chunk of req as AsyncIterable<Buffer>) await consume(chunk);
  } catch (err) {
    out?.destroy();
    throw err;
  }
  if (state !== 'done') {
    out?.destroy();
    throw badRequest('multipart body ended before its closing boundary');
  }
  return { fields, file };

  async function consume(chunk: Buffer): Promise<void> {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (state === 'done') break;
      if (state === 'headers') {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        const headers = pending.subarray(0, end).toString('utf8');
        pending = pending.subarray(end + 4);
        const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
        fields.push(name);
        if (name === field) {
          if (file) throw badRequest(`multipart field "${field}" given twice`);
          file = { path: dest, size: 0, sha256: '', fileName: /filename="([^"]*)"/i.exec(headers)?.[1] };
          out = createWriteStream(dest);
          hash = createHash('sha256');
          size = 0;
        }
        state = 'body';
        continue;
      }
      const at = pending.indexOf(delimiter);
      if (at < 0) {
        // Keep enough bytes to recognise a delimiter split across chunks.
        const keep = Math.min(pending.length, delimiter.length + 4);
        if (state === 'body') await write(pending.subarray(0, pending.length - keep));
        pending = pending.subarray(pending.length - keep);
        break;
      }
      const after = pending.subarray(at + delimiter.length);
      if (after.length < 2) break;
      if (state === 'body') {
        await write(pending.subarray(0, at));
        await finishPart();
      }
      if (after.subarray(0, 2).toString() === '--') state = 'done';
      else state = 'headers';
      pending = after.subarray(2); // the CRLF after the delimiter, or "--"
    }
  }
}
