/** Neo4j engine: online export through the driver to type-faithful NDJSON (FORMAT.md), restore into another instance, proof. */
import type { Neo4jTarget } from '../../config/types';
import type { Engine } from '../engine';
import { adoptedProof, orAdopted, refuseAdminDump } from '../adopted';
import { adoptedFormat } from '../../storage/format/adopted';
import { restoreCypherScript } from './cypher-script';
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
  validate: orAdopted(validateExport),
  destination: neo4jDestination,
  inspect: inspectDestination,
  // Adopted backups (storage/format/adopted.ts) are restored by their own format's path.
  restore: (dest, manifest, ctx, opts) => {
    const format = adoptedFormat(manifest);
    if (format === 'neo4j-admin-dump') refuseAdminDump(manifest);
    return format === 'neo4j-cypher-script' ? restoreCypherScript(dest, manifest, ctx, opts) : restoreGraph(dest, manifest, ctx, opts);
  },
  prove: (dest, manifest, outcome, ctx) => (manifest.adopted ? Promise.resolve(adoptedProof(manifest)) : proveRestore(dest, manifest, outcome, ctx)),
  drop: dropDestination,
  smoke: smokeChecks,
  query: runCheck,
  count: (target) => withDriver(target, (driver) => liveCounts(driver, target.database)),
  doctor: doctorChecks,
  masking: neo4jMasking,
};
