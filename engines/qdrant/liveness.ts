/**
 * Heartbeats for long Qdrant steps. Activities have a 30-second heartbeat timeout, and some steps run far
 * longer with nothing to report: Qdrant taking a snapshot of a large collection, or loading an uploaded one.
 * - Bytes in flight (download, upload, read-back): a beat per chunk, so a stalled transfer stops beating.
 * - Server-side work: a beat every few seconds while the server still answers GET / quickly, so a dead worker
 *   or a dead server still ends the activity by timeout, but a busy server does not.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { QdrantApi } from './http';

export const SERVER_BEAT_MS = 5_000;

/** Runs `work`, beating while `serverBusy()` says the server (not the transfer) is what is being waited for. */
export async function whileServerWorks<T>(api: QdrantApi, beat: () => void, work: () => Promise<T>, serverBusy: () => boolean = () => true): Promise<T> {
  let stopped = false;
  let probing = false;
  const timer = setInterval(() => {
    if (probing || !serverBusy()) return;
    probing = true;
    void api.answers().then((ok) => { if (ok && !stopped) beat(); }).finally(() => { probing = false; });
  }, SERVER_BEAT_MS);
  try {
    return await work();
  } finally {
    stopped = true;
    clearInterval(timer);
  }
}

/** `source`, beating with the byte count as chunks flow (Temporal throttles the beats themselves). */
export function withProgress(source: Readable, beat: (bytes: number) => void): Readable {
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length;
      beat(bytes);
      done(null, chunk);
    },
  });
  source.on('error', (err) => counted.destroy(err));
  counted.on('close', () => source.destroy());
  return source.pipe(counted);
}
