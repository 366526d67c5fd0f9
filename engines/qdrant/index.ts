/** Cairn's Qdrant engine: collection snapshots streamed to storage, plus aliases and collection params. */
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type Counts, type Engine } from '../engine';
import { backup, vanished } from './backup';
import { doctor } from './doctor';
import { QdrantApi } from './http';
import { restore } from './restore';
import { validate } from './validate';

async function count(target: QdrantTarget): Promise<Counts> {
  const api = new QdrantApi(target);
  const points: Record<string, number> = {};
  for (const name of await api.collections()) {
    try {
      points[name] = await api.exactCount(name);
    } catch (err) {
      if (!(await vanished(api, name, err))) throw err;
    }
  }
  return { points };
}

export const qdrantEngine: Engine<QdrantTarget> = {
  type: 'qdrant',
  backup,
  validate,
  // Interim, until this engine's restore/proof work lands: restore keeps its old behaviour, the rest refuses clearly.
  restore: async (dest, manifest, ctx) => { await restore(dest.target, manifest.artifacts, ctx); return { notes: [] }; },
  destination: () => { throw new PermanentError('qdrant restore destinations are not implemented yet'); },
  inspect: () => Promise.reject(new PermanentError('qdrant inspect is not implemented yet')),
  prove: () => Promise.reject(new PermanentError('qdrant restore proof is not implemented yet')),
  drop: () => Promise.reject(new PermanentError('qdrant drop is not implemented yet')),
  smoke: () => Promise.reject(new PermanentError('qdrant smoke checks are not implemented yet')),
  query: () => Promise.reject(new PermanentError('qdrant drill checks are not implemented yet')),
  count,
  doctor,
};
