/** Handlers for collection snapshots: create, list, download, delete, and recovery by upload or location. */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { timeOrAccept, type Handler } from './call';
import type { Contract } from './contract';
import { badInput, badRequest, QdrantError } from './errors';
import type { Journal } from './journal';
import { spoolMultipartFile } from './multipart';
import { readSnapshot, SnapshotFiles } from './snapshots';
import { Collection, type Store } from './store';

type Priority = 'snapshot' | 'replica' | 'no_sync';

export function snapshotHandlers(store: Store, files: SnapshotFiles, dataDir: string, journal: Journal, contract: Contract): Record<string, Handler> {
  const name = (params: Record<string, unknown>) => params.collection_name as string;
  const background = (err: Error) => console.error(`[qdrant stand-in] background snapshot operation failed: ${err.message}`);
  const uploads = path.join(dataDir, 'uploads');

  /** Recovery, as Qdrant does it: the snapshot replaces the collection named in the URL. */
  async function recover(collection: string, file: string, sha256: string, priority: Priority | undefined, checksum: unknown): Promise<boolean> {
    if (checksum !== undefined && checksum !== null) {
      if (typeof checksum !== 'string' || !/^[0-9a-fA-F]{64}$/.test(checksum)) {
        throw new QdrantError(422, `Validation error in query parameters: [checksum: must be a SHA-256 hex digest, got ${JSON.stringify(checksum)}]`);
      }
      if (sha256 !== checksum.toLowerCase()) throw badRequest(`Checksum mismatch: expected ${checksum}, got ${sha256}`);
    }
    if (priority === undefined) journal.pitfall(`snapshot recovery of ${collection} without an explicit priority (defaults differ between Qdrant versions)`);
    const incoming = await readSnapshot(file, collection);
    const existing = store.collections.get(collection);
    if (existing && existing.shape !== incoming.shape) {
      // Qdrant 1.19 answers this with 400 "Wrong input: Snapshot is not compatible with existing collection: ..."
      throw badInput(`Snapshot is not compatible with existing collection: Collection vectors: ${existing.shape} Snapshot Vectors: ${incoming.shape}`);
    }
    if (priority === 'replica') {
      // The local state wins; a collection that did not exist is left empty (the trap the notes warn about).
      if (!existing) {
        store.replace(new Collection(collection, incoming.vectors, incoming.sparse));
        journal.pitfall(`snapshot recovery of ${collection} with priority=replica left the new collection empty`);
      }
      return true;
    }
    store.replace(incoming);
    return true;
  }

  async function spoolUrl(location: string, apiKey: unknown, dest: string): Promise<string> {
    const url = new URL(location);
    if (url.protocol === 'file:') {
      const file = path.resolve(fileURLToPath(url));
      if (!file.startsWith(path.resolve(dataDir) + path.sep)) throw new QdrantError(403, `Forbidden: ${location} is outside the snapshots directory`);
      return file;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`unsupported snapshot location scheme ${url.protocol}`);
    const res = await fetch(url, { headers: typeof apiKey === 'string' ? { 'api-key': apiKey } : {} });
    if (!res.ok || !res.body) throw badRequest(`Failed to download snapshot from ${location}: HTTP ${res.status}`);
    await pipeline(Readable.fromWeb(res.body as NodeWebStream<Uint8Array>), createWriteStream(dest));
    return dest;
  }

  async function sha256Of(file: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    return hash.digest('hex');
  }

  return {
    create_snapshot: async ({ params }) => {
      const collection = store.get(name(params));
      return timeOrAccept(params.wait, () => files.create(collection), background);
    },

    list_snapshots: async ({ params }) => ({ result: await files.list(store.get(name(params)).name) }),

    get_snapshot: async ({ params }) => ({
      file: await files.file(store.get(name(params)).name, params.snapshot_name as string),
      contentType: 'application/octet-stream',
    }),

    delete_snapshot: async ({ params }) => {
      const collection = store.get(name(params)).name;
      await files.file(collection, params.snapshot_name as string); // 404 before accepting
      return timeOrAccept(params.wait, async () => (await files.delete(collection, params.snapshot_name as string), true), background);
    },

    recover_from_uploaded_snapshot: async ({ params, req }) => {
      await fs.mkdir(uploads, { recursive: true });
      const dest = path.join(uploads, `${randomUUID()}.upload`);
      let sha256: string;
      let fileName: string | undefined;
      try {
        const { fields, file } = await spoolMultipartFile(req, 'snapshot', dest);
        // The form's fields against the spec's multipart schema (the file itself is binary).
        const form = contract.checkBody(contract.operation('recover_from_uploaded_snapshot'), 'multipart/form-data', Object.fromEntries(fields.map((f) => [f, '<binary>'])));
        if (!form.ok) throw badRequest(`multipart form: ${form.problem}`);
        if (!file) throw badRequest('multipart form has no "snapshot" file field');
        sha256 = file.sha256;
        fileName = file.fileName;
      } catch (err) {
        await fs.rm(dest, { force: true });
        throw err;
      }
      const work = async () => {
        try {
          return await recover(name(params), dest, sha256, params.priority as Priority | undefined, params.checksum);
        } finally {
          // As Qdrant does: the upload stays among the collection's snapshots, under the name it was sent with,
          // whenever there is a collection to hold it (after a recovery, or one refused over an existing collection).
          if (store.collections.has(name(params))) await files.keep(name(params), dest, fileName, sha256);
          await fs.rm(dest, { force: true });
        }
      };
      return timeOrAccept(params.wait, work, background);
    },

    recover_from_snapshot: async ({ params, body }) => {
      const req = body as { location: string; priority?: Priority | null; checksum?: string | null; api_key?: string | null };
      await fs.mkdir(uploads, { recursive: true });
      const dest = path.join(uploads, `${randomUUID()}.download`);
      const work = async () => {
        try {
          const file = await spoolUrl(req.location, req.api_key, dest);
          return await recover(name(params), file, await sha256Of(file), req.priority ?? undefined, req.checksum);
        } finally {
          await fs.rm(dest, { force: true });
        }
      };
      return timeOrAccept(params.wait, work, background);
    },
  };
}
