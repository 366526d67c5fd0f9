/** Where a Neo4j restore or drill goes: pure decisions from configuration, no server touched. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Neo4jTarget, Target } from '../config/types';
import { PermanentError } from '../engines/engine';
import { neo4jEngine } from '../engines/neo4j';
import { destinationFor, drillTarget, manifestOf, sourceTarget } from './support/neo4j-graph';

const manifest = manifestOf({ artifacts: [], sourceVersion: '5.26.0', consistency: {}, counts: {} });

test('destinations: the drill instance by default, a configured target by name, never production for a drill', () => {
  const other: Neo4jTarget = { ...drillTarget, name: 'archive', uri: 'bolt://archive.example:7687', password: 'archive-secret' };
  const targets: Target[] = [sourceTarget, other, { type: 'qdrant', name: 'vectors', url: 'http://127.0.0.1:6333' }];
  const drill = destinationFor(manifest, { targets });
  assert.deepEqual({ ...drill, target: drill.target.uri }, {
    target: drillTarget.uri, label: `neo4j ${drillTarget.uri} database "neo4j" (drill instance)`, key: 'neo4j/localhost:7688/neo4j', rename: {}, created: true,
  });
  assert.ok(!JSON.stringify({ label: drill.label, key: drill.key }).includes(drillTarget.password));
  const archive = destinationFor(manifest, { into: 'archive', targets });
  assert.deepEqual([archive.target.name, archive.created, archive.label, archive.key],
    ['archive', false, 'neo4j bolt://archive.example:7687 database "neo4j" (target "archive")', 'neo4j/archive.example:7687/neo4j']);

  const refused = (pattern: RegExp) => (err: Error) => err instanceof PermanentError && pattern.test(err.message);
  assert.throws(() => destinationFor(manifest, { into: 'nope', targets }), refused(/into: no configured target is named "nope" \(neo4j targets: "neo4j-main", "archive"\)/));
  assert.throws(() => destinationFor(manifest, { into: 'vectors', targets }), refused(/target "vectors" is a qdrant target/));
  assert.throws(() => destinationFor(manifest, { into: 'archive', purpose: 'drill', targets }), refused(/a drill cannot restore into the configured target "archive": configured targets are production/));
  // The drill instance is production when it is the same server and database under another spelling.
  assert.throws(() => destinationFor(manifest, { purpose: 'drill', targets: [sourceTarget, { ...other, uri: 'neo4j://LOCALHOST:7688', database: 'NEO4J' }] }),
    refused(/drill instance of neo4j target "neo4j-main" .* is the same server and database as production target "archive"/));
  assert.doesNotThrow(() => destinationFor(manifest, { purpose: 'drill', targets: [sourceTarget, { ...other, uri: drillTarget.uri, database: 'other' }] }));
  const noDrill = { ...sourceTarget, drill: undefined };
  assert.throws(() => neo4jEngine.destination({ source: noDrill, manifest, stamp: 'x', purpose: 'drill', targets: [noDrill] }), refused(/has no drill instance/));
});
