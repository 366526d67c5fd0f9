/**
 * age's payload, streamed: a 16-byte nonce, then STREAM, i.e. ChaCha20-Poly1305 over 64 KiB chunks whose
 * nonce is an 11-byte big-endian counter and a last-chunk flag. Reordered chunks fail the counter, a cut
 * after a whole chunk fails the flag, and a flipped bit fails the tag, so every change is detected.
 * Memory: two chunks, whatever the file size.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { open, seal } from './aead';
import { BufferQueue } from './buffer-queue';
import { AgeError } from './errors';
import { encodeHeader, parseHeader } from './header';
import type { Identity, Recipient } from './recipients';

export const CHUNK = 64 * 1024;
const SEALED_CHUNK = CHUNK + 16;

const payloadKey = (fileKey: Buffer, nonce: Buffer) => Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));

function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Plaintext in, an age file out, to every recipient. */
export function encryptStream(recipients: Recipient[]): Transform {
  if (!recipients.length) throw new AgeError('no recipients to encrypt to', 'BadKey');
  if (recipients.some((r) => r.fingerprint === 'scrypt') && recipients.length > 1) {
    throw new AgeError('a passphrase cannot be combined with other recipients (age allows a scrypt stanza only alone)', 'BadKey');
  }
  const fileKey = randomBytes(16);
  const nonce = randomBytes(16);
  const key = payloadKey(fileKey, nonce);
  const header = encodeHeader(recipients.map((r) => r.wrap(fileKey)), fileKey);
  const pending = new BufferQueue();
  let counter = 0;
  let started = false;
  const start = (t: Transform) => {
    if (!started) t.push(Buffer.concat([header, nonce]));
    started = true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      start(this);
      pending.push(chunk);
      // Hold back the last full chunk: only the end of the input says whether it is the final one.
      while (pending.length > CHUNK) this.push(seal(key, chunkNonce(counter++, false), pending.take(CHUNK)));
      done();
    },
    flush(done: TransformCallback) {
      start(this);
      this.push(seal(key, chunkNonce(counter, true), pending.take(pending.length)));
      done();
    },
  });
}

/**
 * An age file in, plaintext out. Fails (never ends cleanly) on a header no identity opens, an altered
 * header or chunk, reordered chunks, or a cut anywhere.
 */
export function decryptStream(identities: Identity[], describe: (err: AgeError) => Error = (e) => e): Transform {
  const pending = new BufferQueue();
  let fileKey: Buffer | undefined;
  let key: Buffer | undefined;
  let counter = 0;

  function readHeader(atEnd: boolean): boolean {
    const parsed = parseHeader(pending.peek(pending.length), atEnd);
    if (!parsed) return false;
    for (const id of identities) {
      fileKey = id.unwrap(parsed.stanzas);
      if (fileKey) break;
    }
    if (!fileKey) {
      const kinds = [...new Set(parsed.stanzas.map((s) => s.type))].join(', ');
      throw new AgeError(`none of the ${identities.length} configured identities opens this file (it is encrypted to ${parsed.stanzas.length} ${kinds} recipient(s))`, 'NoMatchingIdentity');
    }
    parsed.verifyMac(fileKey);
    pending.take(parsed.length);
    return true;
  }

  function openChunk(sealed: Buffer, last: boolean): Buffer {
    const plain = open(key!, chunkNonce(counter++, last), sealed);
    if (!plain) {
      throw new AgeError(last ? 'the encrypted payload was altered or cut short (its last chunk does not authenticate)'
        : `the encrypted payload was altered (chunk ${counter - 1} does not authenticate)`, 'Tampered');
    }
    if (last && plain.length === 0 && counter > 1) throw new AgeError('the encrypted payload ends with an empty chunk', 'Tampered');
    return plain;
  }

  const step = (t: Transform, atEnd: boolean) => {
    if (!fileKey && !readHeader(atEnd)) return;
    if (!key) {
      if (pending.length < 16) {
        if (atEnd) throw new AgeError('the age file is cut short before its payload', 'Truncated');
        return;
      }
      const nonce = pending.take(16);
      key = payloadKey(fileKey!, nonce);
    }
    while (pending.length > SEALED_CHUNK) t.push(openChunk(pending.take(SEALED_CHUNK), false));
    if (atEnd) {
      if (pending.length < 16) throw new AgeError('the encrypted payload is cut short', 'Truncated');
      t.push(openChunk(pending.take(pending.length), true));
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      try {
        step(this, false);
        done();
      } catch (err) {
        done(err instanceof AgeError ? describe(err) : err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        step(this, true);
        done();
      } catch (err) {
        done(err instanceof AgeError ? describe(err) : err as Error);
      }
    },
  });
}
