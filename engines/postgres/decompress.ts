/**
 * Undoing a storage-level compression in a child process (`zstd -dc`, `gzip -dc`), so decompressed bytes never
 * pass through the worker: its output goes straight to pg_restore's stdin or to a spool file. Measured: the
 * worker's own decompression cost ~30 MiB of RSS and a copy of every decompressed byte.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { PermanentError, type StoredEncoding } from '../engine';

const COMMANDS: Record<StoredEncoding, [string, string[]]> = {
  zstd: ['zstd', ['-dcq', '--no-progress']],
  gzip: ['gzip', ['-dc']],
};

export interface Decompressor { child: ChildProcess; done: Promise<void> }

/**
 * `input` is a file to read, or 'pipe' (its stdin); `output` is 'pipe' or a file descriptor. `done` resolves
 * when it exited 0 and rejects naming what failed (a missing tool is a PermanentError saying to install it).
 */
export function decompressor(encoding: StoredEncoding, input: string, output: 'pipe' | number): Decompressor {
  const [cmd, args] = COMMANDS[encoding];
  const child = spawn(cmd, input === 'pipe' ? args : [...args, input], { stdio: [input === 'pipe' ? 'pipe' : 'ignore', output, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 10_000) stderr += d.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new PermanentError(`could not run ${cmd} to decompress the archive (${err.message}): install ${cmd}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} -d failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no error output'}`));
    });
  });
  done.catch(() => undefined); // callers await it; an unawaited rejection must not crash the worker
  child.stdin?.on('error', () => undefined); // EPIPE once it is gone: its exit status says why
  return { child, done };
}

/**
 * Writes a verified read into `sink`, ending it only when the read ended, which a verified read does only
 * once every byte matched its manifest. The last `holdBack` bytes wait for that end too: pg_restore commits as
 * soon as it has processed the archive's last entry, without waiting for the end of its input, so it must not
 * have the whole archive before the check passed. On a failed read, `abandon` runs BEFORE the sink is
 * destroyed: it must stop whoever consumes the bytes (pg_restore) so nothing it did is kept.
 */
export function feedVerified(source: Readable, sink: Writable, abandon: () => Promise<void>, holdBack = HOLD_BACK_BYTES): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const held = new HeldTail(holdBack);
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      source.pause();
      void abandon().finally(() => { sink.destroy(); reject(err); });
    };
    source.on('error', fail);
    sink.on('error', (err: NodeJS.ErrnoException) => {
      // The consumer stopping early (pg_restore failed) shows as EPIPE: its exit status reports why.
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') { failed = true; source.destroy(); resolve(); } else fail(err);
    });
    source.on('data', (chunk: Buffer) => {
      if (failed) return;
      for (const out of held.push(chunk)) if (!sink.write(out)) source.pause();
    });
    sink.on('drain', () => { if (!failed) source.resume(); });
    source.on('end', () => {
      if (failed) return;
      for (const out of held.rest()) sink.write(out);
      sink.end(() => resolve());
    });
  });
}

const HOLD_BACK_BYTES = 1024 * 1024;

/** Passes bytes on, keeping the last `size` of them back until rest(). */
class HeldTail {
  private chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly size: number) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    const out: Buffer[] = [];
    while (this.chunks.length && this.bytes - this.chunks[0]!.length >= this.size) {
      const first = this.chunks.shift()!;
      this.bytes -= first.length;
      out.push(first);
    }
    return out;
  }

  rest(): Buffer[] {
    const out = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

/** Kills a child (if still running) and waits until it is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill(signal);
  await gone;
}

/** Decompresses a verified read into `file`; the file is complete only when the read verified and the tool exited 0. */
export async function decompressInto(encoding: StoredEncoding, source: Readable, file: string, key: string, signal: AbortSignal): Promise<void> {
  const fd = openSync(file, 'w', 0o600);
  let d: Decompressor;
  try {
    d = decompressor(encoding, 'pipe', fd);
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  const stop = () => { void stopChild(d.child); };
  signal.addEventListener('abort', stop, { once: true });
  try {
    // The read's own failure (size, SHA-256) is the one to report: the tool is stopped because of it.
    await feedVerified(source, d.child.stdin!, () => stopChild(d.child));
    await d.done.catch((err: Error) => {
      if (/No space left/i.test(err.message)) throw Object.assign(new Error(err.message), { code: 'ENOSPC' });
      throw new PermanentError(`stored object ${key} does not decompress: ${err.message}`, 'ChecksumMismatch');
    });
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
