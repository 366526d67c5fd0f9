/**
 * Where a Neo4j restore goes. Community has one user database per instance, so a destination is another
 * server: by default the source target's drill instance (which Cairn may wipe), or, with `into`, another
 * configured neo4j target (or the source itself, which restore only overwrites with replace). A drill never
 * goes to a configured target, nor to anything on the same server and database as one.
 */
import type { Neo4jTarget, Target } from '../../config/types';
import { PermanentError, type Destination, type DestinationRequest } from '../engine';
import { safeUri } from './connect';

const DEFAULT_BOLT_PORT = '7687';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1']);

/** host:port a URI connects to, the same for bolt:// and neo4j:// and for every spelling of loopback. */
export function serverOf(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new PermanentError(`neo4j URI ${JSON.stringify(safeUri(uri))} cannot be parsed`, 'Neo4jBadUri');
  }
  const host = u.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return `${LOOPBACK.has(host) ? 'localhost' : host}:${u.port || DEFAULT_BOLT_PORT}`;
}

/** server and database: what says two connections reach the same data (database names are case-insensitive). */
export const placeOf = (c: { uri: string; database: string }): string => `${serverOf(c.uri)}/${c.database.toLowerCase()}`;

export function neo4jDestination(req: DestinationRequest<Neo4jTarget>): Destination<Neo4jTarget> {
  const { source } = req;
  const production = req.targets.filter((t): t is Neo4jTarget => t.type === 'neo4j');
  const clash = (c: { uri: string; database: string }): Neo4jTarget | undefined => production.find((t) => placeOf(t) === placeOf(c));

  if (req.into !== undefined) {
    const target = configuredTarget(req.into, req.targets);
    if (req.purpose === 'drill') {
      throw new PermanentError(`a drill cannot restore into the configured target "${target.name}": configured targets are production, `
        + `which drills never touch; they go to the drill instance of "${source.name}" (NEO4J_DRILL_URI, or drill: in its target entry)`, 'Neo4jDrillIntoProduction');
    }
    // Another name for the source's own server and database is the source: restore's overwrite rule applies to it.
    const same = placeOf(target) === placeOf(source) ? source : target;
    return described(same, false);
  }

  if (!source.drill) {
    throw new PermanentError(`neo4j target "${source.name}" has no drill instance to restore into: set NEO4J_DRILL_URI (or drill: in its `
      + 'target entry) to a spare Neo4j server, or name a configured target to restore into', 'Neo4jNoDrillInstance');
  }
  const drill: Neo4jTarget = { type: 'neo4j', name: `${source.name}-drill`, ...source.drill };
  const prod = clash(drill);
  if (prod) {
    // Cairn wipes a drill instance at teardown, so one that is production would lose production's data.
    throw new PermanentError(`the drill instance of neo4j target "${source.name}" (${safeUri(drill.uri)}, database "${drill.database}") is `
      + `the same server and database as production target "${prod.name}": point NEO4J_DRILL_URI (or drill.uri) at a spare server`,
    'Neo4jDrillIsProduction');
  }
  return described(drill, true);
}

function configuredTarget(name: string, targets: Target[]): Neo4jTarget {
  const found = targets.find((t) => t.name === name);
  const neo4jNames = targets.filter((t) => t.type === 'neo4j').map((t) => `"${t.name}"`).join(', ') || 'none';
  if (!found) throw new PermanentError(`into: no configured target is named "${name}" (neo4j targets: ${neo4jNames})`, 'Neo4jUnknownInto');
  if (found.type !== 'neo4j') {
    throw new PermanentError(`into: target "${name}" is a ${found.type} target; a neo4j backup restores into a neo4j target (${neo4jNames})`, 'Neo4jUnknownInto');
  }
  return found;
}

const described = (target: Neo4jTarget, created: boolean): Destination<Neo4jTarget> => ({
  target,
  label: `neo4j ${safeUri(target.uri)} database "${target.database}"${created ? ' (drill instance)' : ` (target "${target.name}")`}`,
  key: `neo4j/${placeOf(target)}`,
  rename: {},
  created,
});
