/** Neo4j engine: online export through the driver to type-faithful NDJSON (FORMAT.md), restore into an empty database. */
import type { Neo4jTarget } from '../../config/types';
import { PermanentError, type Engine } from '../engine';
import { withDriver } from './connect';
import { liveCounts } from './counts';
import { doctorChecks } from './doctor';
import { exportGraph } from './export';
import { importGraph } from './import';
import { validateExport } from './validate';

export const neo4jEngine: Engine<Neo4jTarget> = {
  type: 'neo4j',
  backup: exportGraph,
  validate: validateExport,
  // Interim, until this engine's restore/proof work lands: restore keeps its old behaviour, the rest refuses clearly.
  restore: async (dest, manifest, ctx) => { await importGraph(dest.target, manifest.artifacts, ctx); return { notes: [] }; },
  destination: () => { throw new PermanentError('neo4j restore destinations are not implemented yet'); },
  inspect: () => Promise.reject(new PermanentError('neo4j inspect is not implemented yet')),
  prove: () => Promise.reject(new PermanentError('neo4j restore proof is not implemented yet')),
  drop: () => Promise.reject(new PermanentError('neo4j drop is not implemented yet')),
  smoke: () => Promise.reject(new PermanentError('neo4j smoke checks are not implemented yet')),
  query: () => Promise.reject(new PermanentError('neo4j drill checks are not implemented yet')),
  count: (target) => withDriver(target, (driver) => liveCounts(driver, target.database)),
  doctor: doctorChecks,
};
