/** Neo4j engine: online export through the driver to type-faithful NDJSON (FORMAT.md), restore into another instance, proof. */
import type { Neo4jTarget } from '../../config/types';
import type { Engine } from '../engine';
import { withDriver } from './connect';
import { liveCounts } from './counts';
import { neo4jDestination } from './destination';
import { doctorChecks } from './doctor';
import { dropDestination, inspectDestination, runCheck, smokeChecks } from './drill';
import { exportGraph } from './export';
import { restoreGraph } from './import';
import { neo4jMasking } from './mask';
import { proveRestore } from './prove';
import { validateExport } from './validate';

export const neo4jEngine: Engine<Neo4jTarget> = {
  type: 'neo4j',
  backup: (target, ctx) => exportGraph(target, ctx),
  validate: validateExport,
  destination: neo4jDestination,
  inspect: inspectDestination,
  restore: restoreGraph,
  prove: proveRestore,
  drop: dropDestination,
  smoke: smokeChecks,
  query: runCheck,
  count: (target) => withDriver(target, (driver) => liveCounts(driver, target.database)),
  doctor: doctorChecks,
  masking: neo4jMasking,
};
