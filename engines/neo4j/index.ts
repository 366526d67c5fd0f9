/** Neo4j engine: online export through the driver to type-faithful NDJSON (FORMAT.md), restore into an empty database. */
import type { Neo4jTarget } from '../../config/types';
import type { Engine } from '../engine';
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
  restore: importGraph,
  count: (target) => withDriver(target, (driver) => liveCounts(driver, target.database)),
  doctor: doctorChecks,
};
