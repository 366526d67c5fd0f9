/**
 * A local artifact sink for engine tests: BackupContext/ReadContext over a temp directory.
 * Artifacts are gzipped when the spec asks, measured (size, SHA-256 of the stored bytes) in the
 * same pass, and open() streams them back decompressed, as the real storage layer does.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, createZstdDecompress } from 'node:zlib';
import { storedEncoding, type ArtifactRecord, type ArtifactSpec, type BackupContext, type ReadContext } from '../../engines/engine';
import { Meter } from '../../storage/artifacts';

export class FileArtifacts {
  readonly heartbeats: Record<string, unknown>[] = [];
  readonly logs: { message: string; fields?: Record<string, unknown> }[] = [];
  readonly controller = new AbortController();
  /** Called on every heartbeat, e.g. to cancel an operation once it is under way. */
  onHeartbeat?: (progress: Record<string, unknown>) => void;

  private constructor(readonly dir: string) {}

  static async create(label: string): Promise<FileArtifacts> {
    return new FileArtifacts(await fs.mkdtemp(path.join(os.tmpdir(), `cairn-${label}-`)));
  }

  get backup(): BackupContext {
    return { writeArtifact: (spec, source) => this.write(spec, source), ...this.common() };
  }

  get read(): ReadContext {
    return { open: (a) => this.open(a), ...this.common() };
  }

  /** Raw stored bytes (still gzipped), for tests that damage a file on purpose. */
  storedBytes(a: ArtifactRecord): Promise<Buffer> {
    return fs.readFile(a.key);
  }

  /** Stores `bytes` as a new artifact next to the others, as if storage held them. */
  async storeRaw(name: string, bytes: Buffer, compressed: boolean): Promise<ArtifactRecord> {
    const key = path.join(this.dir, name);
    await fs.writeFile(key, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { part: '', key, sizeBytes: bytes.length, sha256, compressed };
  }

  cleanup(): Promise<void> {
    return fs.rm(this.dir, { recursive: true, force: true });
  }

  private common() {
    return {
      heartbeat: (progress: Record<string, unknown> = {}) => {
        this.heartbeats.push(progress);
        this.onHeartbeat?.(progress);
      },
      log: (message: string, fields?: Record<string, unknown>) => void this.logs.push({ message, fields }),
      signal: this.controller.signal,
    };
  }

  private async write(spec: ArtifactSpec, source: Readable): Promise<ArtifactRecord> {
    const key = path.join(this.dir, `${encodeURIComponent(spec.part || 'main')}.${spec.extension}`);
    const measure = new Meter();
    const stages = spec.compress ? [source, createGzip(), measure] : [source, measure];
    await pipeline([...stages, createWriteStream(key)]);
    const encoding = spec.encoded ? { encoding: spec.encoded } : {};
    return { part: spec.part, key, sizeBytes: measure.bytes, sha256: measure.sha256, compressed: spec.compress || !!spec.encoded, ...encoding, meta: spec.meta };
  }

  private async open(a: ArtifactRecord): Promise<Readable> {
    await fs.access(a.key);
    const out = new PassThrough();
    // pipeline (not .pipe) so a read or gunzip error reaches the consumer instead of hanging it.
    const encoding = storedEncoding(a);
    const stages = encoding ? [createReadStream(a.key), encoding === 'zstd' ? createZstdDecompress() : createGunzip(), out] : [createReadStream(a.key), out];
    pipeline(stages).catch((err: Error) => out.destroy(err));
    return out;
  }
}
