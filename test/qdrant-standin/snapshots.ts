/**
 * Collection snapshots as files under <data>/snapshots/<collection>/, named and described like Qdrant's
 * (<collection>-<id>-<YYYY-MM-DD-HH-MM-SS>.snapshot with a .checksum file beside it). The archive is a real
 * tar holding the collection's config and points; its layout is the stand-in's own, not Qdrant's segments.
 */
import { createHash, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { badRequest, notFound } from './errors';
import { checkCollectionName, Collection, type SparseConfig, type StoredPoint, type VectorsConfig } from './store';
import { readTar, writeTar } from './tar';

export const SNAPSHOT_FORMAT = 'qdrant-standin-snapshot/1';

export interface SnapshotDescription { name: string; creation_time: string | null; size: number; checksum: string | null }

export class SnapshotFiles {
  constructor(private readonly dataDir: string) {}

  dir(collection: string): string {
    checkCollectionName(collection);
    return path.join(this.dataDir, 'snapshots', collection);
  }

  async create(collection: Collection): Promise<SnapshotDescription> {
    const now = new Date();
    const stamp = now.toISOString().slice(0, 19).replace(/[T:]/g, '-');
    // Qdrant puts the peer id here; a random one per snapshot keeps two snapshots in one second apart.
    const name = `${collection.name}-${randomInt(1e13, 1e14)}-${stamp}.snapshot`;
    const config = { format: SNAPSHOT_FORMAT, collection: collection.name, vectors: collection.vectors, sparse: collection.sparse };
    const points = collection.sorted().map((p) => JSON.stringify(p)).join('\n');
    const tar = writeTar([
      { name: 'STANDIN-SNAPSHOT.txt', data: Buffer.from('Written by the qdrant stand-in (a Cairn test double); real Qdrant cannot read it.\n') },
      { name: 'config.json', data: Buffer.from(JSON.stringify(config, null, 2)) },
      { name: '0/points.jsonl', data: Buffer.from(points) },
    ], now);
    const dir = this.dir(collection.name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, name), tar);
    await fs.writeFile(path.join(dir, `${name}.checksum`), createHash('sha256').update(tar).digest('hex'));
    return this.describe(collection.name, name);
  }

  /** Keeps an uploaded file among the collection's snapshots (with its checksum), as Qdrant does after recovery. */
  async keep(collection: string, file: string, fileName: string | undefined, sha256: string): Promise<void> {
    const name = path.basename(fileName || `${randomInt(1e13, 1e14)}.snapshot`);
    if (name.startsWith('.')) return;
    const dir = this.dir(collection);
    await fs.mkdir(dir, { recursive: true });
    await fs.copyFile(file, path.join(dir, name));
    await fs.writeFile(path.join(dir, `${name}.checksum`), sha256);
  }

    async list(collection: string): Promise<SnapshotDescription[]> {
    const names = await fs.readdir(this.dir(collection)).catch(() => [] as string[]);
    return Promise.all(names.filter((n) => n.endsWith('.snapshot')).sort().map((n) => this.describe(collection, n)));
  }

  /** The file of an existing snapshot; refuses names that would leave the collection's directory. */
  async file(collection: string, name: string): Promise<string> {
    const file = path.join(this.dir(collection), name);
    if (name.includes('/') || name.includes('\\') || name.startsWith('.') || !(await exists(file))) {
      throw notFound(`Snapshot file \`${name}\` does not exist!`);
    }
    return file;
  }

  async delete(collection: string, name: string): Promise<void> {
    const file = await this.file(collection, name);
    await fs.rm(file);
    await fs.rm(`${file}.checksum`, { force: true });
  }

  private async describe(collection: string, name: string): Promise<SnapshotDescription> {
    const file = path.join(this.dir(collection), name);
    const stat = await fs.stat(file);
    const checksum = await fs.readFile(`${file}.checksum`, 'utf8').catch(() => null);
    return { name, creation_time: stat.mtime.toISOString().slice(0, 19), size: stat.size, checksum };
  }
}

/** Reads a snapshot file back into a collection named `as` (recovery uses the URL's name, not the snapshot's). */
export async function readSnapshot(file: string, as: string): Promise<Collection> {
  let entries;
  try {
    entries = readTar(await fs.readFile(file));
  } catch (err) {
    throw badRequest(`Snapshot is not a valid tar archive: ${(err as Error).message}`);
  }
  const config = entries.find((e) => e.name === 'config.json');
  const points = entries.find((e) => e.name === '0/points.jsonl');
  if (!config || !points) throw badRequest('Snapshot has no config.json or 0/points.jsonl: not a stand-in snapshot');
  const parsed = JSON.parse(config.data.toString('utf8')) as { format: string; vectors: VectorsConfig; sparse?: SparseConfig | null };
  if (parsed.format !== SNAPSHOT_FORMAT) throw badRequest(`Snapshot format ${parsed.format} is not ${SNAPSHOT_FORMAT}`);
  const collection = new Collection(as, parsed.vectors, parsed.sparse ?? null);
  for (const line of points.data.toString('utf8').split('\n')) {
    if (!line) continue;
    collection.put(JSON.parse(line) as StoredPoint);
  }
  return collection;
}

const exists = (file: string) => fs.stat(file).then(() => true, () => false);
