/** Cairn's Qdrant engine: collection snapshots streamed to storage, plus aliases, collection params and a content proof. */
import type { QdrantTarget } from '../../config/types';
import type { Counts, Engine } from '../engine';
import { adoptedProof, orAdopted } from '../adopted';
import { backup, vanished } from './backup';
import { destination } from './destination';
import { doctor } from './doctor';
import { QdrantApi } from './http';
import { drop, inspect, query, smoke } from './lifecycle';
import { prove } from './prove';
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
  validate: orAdopted(validate),
  destination,
  inspect,
  restore,
  // Qdrant's proof is all taken at backup; the restore outcome adds nothing to compare.
  prove: (dest, manifest, _outcome, ctx) => (manifest.adopted ? Promise.resolve(adoptedProof(manifest)) : prove(dest, manifest, ctx)),
  drop,
  smoke,
  query,
  count,
  doctor,
};
