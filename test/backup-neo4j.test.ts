/** The backup cycle for Neo4j through Temporal: every property type, schema included, verified, recorded, and restorable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Neo4jTarget } from '../config/types';
import { neo4jEngine } from '../engines/neo4j';
import { ObjectStore } from '../storage/s3';
import { testConfig, withWorker } from './support/stack';
import { bucketReader, historyRows, readManifest, runCycle } from './support/cycle';
import { drillTarget, mainTarget, schemaOf, seed, snapshot, wipe } from './support/neo4j-graph';

test('a Neo4j target with every property type, constraints and indexes is backed up and restores identically', { timeout: 300_000 }, async () => {
  await wipe(mainTarget);
  await seed(mainTarget, 2000);
  const config = testConfig('neo4j-cycle', { CAIRN_TARGET_TYPES: 'neo4j', NEO4J_URI: mainTarget.uri });
  const run = await withWorker(config, (client) => runCycle(client, config));
  assert.equal(run.failed, false, run.error);
  const [result] = run.results;
  assert.match(result!.backupId!, /^neo4j_neo4j_\d{8}_\d{6}$/);

  const manifest = await readManifest(config, result!.manifestKey!);
  assert.deepEqual(manifest.counts, await neo4jEngine.count(mainTarget));
  assert.ok(manifest.counts.totals!.nodes! > 2000);
  const [artifact] = manifest.artifacts;
  assert.ok(artifact!.key.endsWith(`${result!.backupId}.ndjson.gz`));
  assert.equal(artifact!.compressed, true);
  const store = new ObjectStore(config.storage);
  assert.equal(await store.size(artifact!.key), artifact!.sizeBytes);
  assert.equal((await store.getText(artifact!.sidecarKey)).trim(), `${artifact!.sha256}  ${artifact!.key.split('/').at(-1)}`);
  const [row] = await historyRows(config, run.workflowId);
  assert.equal(row.status, 'success');
  assert.equal(row.checksum, artifact!.sha256);

  // What the bucket holds brings back the same graph (values, types, labels, relationships and schema) into the
  // drill instance the configuration names, and the engine's own proof agrees.
  await wipe(drillTarget);
  const dest = neo4jEngine.destination({ source: config.targets[0] as Neo4jTarget, manifest, stamp: '20261121_120000', purpose: 'drill', targets: config.targets });
  assert.equal(dest.target.uri, drillTarget.uri);
  const reader = bucketReader(store);
  const outcome = await neo4jEngine.restore(dest, manifest, reader, { replace: false });
  assert.deepEqual(await snapshot(drillTarget), await snapshot(mainTarget));
  assert.deepEqual(await schemaOf(drillTarget), await schemaOf(mainTarget));
  const report = await neo4jEngine.prove(dest, manifest, outcome, reader);
  assert.deepEqual(report.checks.filter((c) => !c.ok), []);
  // Fingerprints are compared exactly when the backup workflow recorded the engine's proof in the manifest.
  assert.equal(report.checks.some((c) => c.check === 'nodes: content now'), manifest.proof !== undefined);
  await neo4jEngine.drop(dest);
  assert.equal((await neo4jEngine.inspect(dest)).empty, true);
  store.destroy();
});
