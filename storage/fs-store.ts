/**
 * Backups in a directory on a local or mounted disk (BACKUP_DIR), for single-host deployments. Same promise as
 * the bucket: a file appears under its final name only once it is complete and on disk. Every write goes to a
 * temporary name in the same directory, is fsynced, renamed over the final name, and the directory fsynced,
 * so a crash at any point leaves either the old file, the new file, or nothing, plus at most a temporary file
 * that listings never show and abortStaleUploads removes. Keys map to paths under the directory only.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { noSuchKey, type BackupStore, type PendingUpload, type StoredObject, type StoreCapabilities } from './store';

/** Temporary files start with this; no key segment may, so a temporary file is never taken for an object. */
const PARTIAL = '.cairn-partial-';

export class FileStore implements BackupStore {
  readonly capabilities: StoreCapabilities = { atomicReplace: true, multipartUploads: false };
  readonly location: string;
  private readonly root: string;

  /** `directory` must be absolute; `prefix` is '' or '/'-separated segments ending in '/' (BACKUP_PREFIX). */
  constructor(directory: string, private readonly prefix: string, private readonly create = true) {
    if (!path.isAbsolute(directory)) throw new Error(`the backup directory must be an absolute path, got '${directory}'`);
    this.root = path.resolve(directory);
    this.location = `directory ${this.root}`;
  }

  async ensureBucket(): Promise<boolean> {
    const existed = await isDirectory(this.root);
    if (existed) return false;
    if (!this.create) throw new Error(`backup directory ${this.root} does not exist and S3_CREATE_BUCKET is false`);
    await this.makeDirectory(this.root);
    return true;
  }

  async upload(key: string, body: Readable, _contentType: string, signal?: AbortSignal): Promise<void> {
    await this.writeAtomically(key, async (tmp) => {
      // Written chunk by chunk on the handle, which stays open for the fsync; each write waits, so memory stays bounded.
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        signal?.throwIfAborted();
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let offset = 0; offset < bytes.length;) offset += (await tmp.write(bytes, offset, bytes.length - offset)).bytesWritten;
      }
    });
  }

  async putText(key: string, text: string): Promise<void> {
    await this.writeAtomically(key, async (tmp) => {
      await tmp.writeFile(text, 'utf8');
    });
  }

  async getText(key: string): Promise<string> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (err) {
      throw notFoundAsS3(err, key);
    }
  }

  async open(key: string, signal?: AbortSignal): Promise<Readable> {
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (err) {
      throw notFoundAsS3(err, key);
    }
    const stream = handle.createReadStream();
    return signal ? addAbortSignal(signal, stream) : stream;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? s.size : undefined;
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const found: StoredObject[] = [];
    for await (const { key, file } of this.walk(dirKey)) {
      if (file.startsWith(PARTIAL) || !key.startsWith(prefix)) continue;
      const st = await stat(this.pathOf(key));
      found.push({ key, size: st.size, modified: st.mtime });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deleteAll(keys: string[]): Promise<void> {
    for (const key of keys) {
      const file = this.pathOf(key);
      await unlink(file).catch((err: unknown) => { if (code(err) !== 'ENOENT') throw err; });
      await this.removeEmptyParents(path.dirname(file));
    }
  }

  async abortStaleUploads(prefix: string): Promise<number> {
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    let removed = 0;
    for await (const { dir, file } of this.walk(dirKey)) {
      // .cairn-partial-<final name>-<uuid>: only those whose final key is under `prefix`
      if (!file.startsWith(PARTIAL) || !`${dirKey}${file.slice(PARTIAL.length, -37)}`.startsWith(prefix)) continue;
      await unlink(path.join(dir, file)).catch((err: unknown) => { if (code(err) !== 'ENOENT') throw err; });
      removed++;
    }
    return removed;
  }

  /** A directory store's unfinished uploads are its temporary files; the upload id is the file's own name. */
  async pendingUploads(prefix: string): Promise<PendingUpload[]> {
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const out: PendingUpload[] = [];
    for await (const { dir, file } of this.walk(dirKey)) {
      const key = `${dirKey}${file.slice(PARTIAL.length, -37)}`;
      if (!file.startsWith(PARTIAL) || !key.startsWith(prefix)) continue;
      out.push({ key, uploadId: path.join(dir, file), initiated: (await stat(path.join(dir, file))).mtime });
    }
    return out;
  }

  async abortUpload(u: Pick<PendingUpload, 'key' | 'uploadId'>): Promise<void> {
    if (!path.basename(u.uploadId).startsWith(PARTIAL) || !u.uploadId.startsWith(this.root + path.sep)) {
      throw new Error(`'${u.uploadId}' is not an unfinished upload of this store`);
    }
    await unlink(u.uploadId).catch((err: unknown) => { if (code(err) !== 'ENOENT') throw err; });
  }

  async copy(from: string, to: string): Promise<void> {
    await this.upload(to, await this.open(from), 'application/octet-stream');
  }

  destroy(): void {}

  /**
   * The file for a key: each '/'-separated segment must be a plain name (no '', '.', '..', NUL or '\\', and not a
   * temporary file's name), and the result must lie under the directory, so no key can reach outside it.
   */
  pathOf(key: string): string {
    const segments = (this.prefix + key).split('/');
    for (const seg of segments) {
      if (seg === '' || seg === '.' || seg === '..' || seg.includes('\0') || seg.includes('\\') || seg.startsWith(PARTIAL)) {
        throw new Error(`'${key}' is not a key this store can hold: each '/'-separated part must be a plain file name`);
      }
    }
    const file = path.join(this.root, ...segments);
    if (!file.startsWith(this.root + path.sep)) throw new Error(`'${key}' would leave the backup directory ${this.root}`);
    return file;
  }

  private async writeAtomically(key: string, write: (tmp: FileHandle) => Promise<void>): Promise<void> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    await this.makeDirectory(dir);
    const tmpPath = path.join(dir, `${PARTIAL}${path.basename(file)}-${randomUUID()}`);
    const tmp = await open(tmpPath, 'wx', 0o640);
    try {
      await write(tmp);
      await tmp.sync();
      await tmp.close();
      await rename(tmpPath, file);
    } catch (err) {
      await tmp.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
    await syncDirectory(dir);
  }

  /** mkdir -p, then fsync each directory that gained an entry, so the new path survives a crash too. */
  private async makeDirectory(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let d = dir; ; d = path.dirname(d)) {
      await syncDirectory(path.dirname(d));
      if (d === first) break;
    }
  }

  private async removeEmptyParents(dir: string): Promise<void> {
    const floor = path.join(this.root, ...this.prefix.split('/').filter(Boolean));
    for (let d = dir; d.startsWith(this.root + path.sep) && d !== floor; d = path.dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return;
      }
    }
  }

  private async *walk(dirKey: string): AsyncGenerator<{ key: string; dir: string; file: string }> {
    const dir = dirKey ? this.pathOf(dirKey.slice(0, -1)) : path.join(this.root, ...this.prefix.split('/').filter(Boolean));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return;
      throw err;
    }
    for (const e of entries) {
      if (e.isDirectory()) yield* this.walk(`${dirKey}${e.name}/`);
      else if (e.isFile()) yield { key: `${dirKey}${e.name}`, dir, file: e.name };
    }
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

function notFoundAsS3(err: unknown, key: string): unknown {
  return code(err) === 'ENOENT' || code(err) === 'ENOTDIR' || code(err) === 'EISDIR' ? noSuchKey(key) : err;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    if (code(err) === 'ENOENT') return false;
    throw err;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
