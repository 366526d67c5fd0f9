/**
 * A multipart/form-data body with one file field, produced as a stream: the snapshot flows from storage
 * to Qdrant chunk by chunk (fetch pulls as the socket drains), never whole in memory.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface MultipartBody { contentType: string; body: AsyncIterable<Uint8Array> }

export function multipartFile(field: string, fileName: string, source: Readable): MultipartBody {
  const boundary = `cairn-${randomUUID()}`;
  const safeName = fileName.replace(/["\r\n\\]/g, '_');
  async function* body(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${field}"; filename="${safeName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
    );
    for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: body() };
}
