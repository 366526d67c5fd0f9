/** Where a Qdrant restore or drill goes (pure: no server): names, `into`, and a drill never landing in production. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QdrantTarget } from '../config/types';
import { PermanentError, type DestinationRequest } from '../engines/engine';
import { qdrantEngine } from '../engines/qdrant';
import type { Manifest } from '../storage/format/manifest';

const source: QdrantTarget = { type: 'qdrant', name: 'vectors', url: 'http://127.0.0.1:6333', apiKey: 'k' };
const snapshot = (collection: string) => ({
  part: collection, key: `qdrant/${collection}.snapshot`, sidecarKey: '', sizeBytes: 1, sha256: '', compressed: false,
  meta: { kind: 'qdrant-collection-snapshot', collection, snapshotName: `${collection}.snapshot` },
});
const manifest = (...collections: string[]) => ({ artifacts: collections.map(snapshot) }) as unknown as Manifest;
const request = (over: Partial<DestinationRequest<QdrantTarget>>): DestinationRequest<QdrantTarget> => ({
  source, manifest: manifest('docs', 'images'), stamp: '20261121_101500', purpose: 'restore', targets: [source], ...over,
});
const refused = (req: DestinationRequest<QdrantTarget>, message: RegExp, kind?: string) => assert.throws(() => qdrantEngine.destination(req), (err: Error) => {
  assert.ok(err instanceof PermanentError, `a PermanentError, got ${err.name}: ${err.message}`);
  assert.match(err.message, message);
  if (kind) assert.equal(err.kind, kind);
  return true;
});

test('a restore gets new collections <collection>_restore_<stamp> on the same server, which Cairn may drop later', () => {
  const dest = qdrantEngine.destination(request({}));
  assert.deepEqual(dest.rename, { docs: 'docs_restore_20261121_101500', images: 'images_restore_20261121_101500' });
  assert.equal(dest.target, source);
  assert.equal(dest.created, true);
  assert.equal(dest.label, 'qdrant 127.0.0.1:6333 [docs_restore_20261121_101500, images_restore_20261121_101500]');
  assert.equal(dest.key, 'qdrant/127.0.0.1:6333/docs_restore_20261121_101500,images_restore_20261121_101500');
  assert.doesNotMatch(JSON.stringify({ label: dest.label, key: dest.key }), /"k"|apiKey/);
});

test('a drill goes to the drill server when one is configured, as <collection>_drill_<stamp>', () => {
  const withDrill = { ...source, drill: { url: 'http://10.0.0.9:6333', apiKey: 'drill-key' } };
  const dest = qdrantEngine.destination(request({ source: withDrill, purpose: 'drill', targets: [withDrill] }));
  assert.equal(dest.target.url, 'http://10.0.0.9:6333');
  assert.equal(dest.target.apiKey, 'drill-key');
  assert.deepEqual(dest.rename, { docs: 'docs_drill_20261121_101500', images: 'images_drill_20261121_101500' });
  const same = qdrantEngine.destination(request({ purpose: 'drill' }));
  assert.equal(same.target.url, source.url, 'no drill server: the same one, under new names');
});

test('`into` names the one collection of a backup, or a {collection} pattern for several; its collections are not Cairn\'s to drop', () => {
  const one = qdrantEngine.destination(request({ manifest: manifest('docs'), into: 'docs_copy' }));
  assert.deepEqual(one.rename, { docs: 'docs_copy' });
  assert.equal(one.created, false);
  const many = qdrantEngine.destination(request({ into: 'old_{collection}' }));
  assert.deepEqual(many.rename, { docs: 'old_docs', images: 'old_images' });
  const inPlace = qdrantEngine.destination(request({ into: '{collection}' }));
  assert.deepEqual(inPlace.rename, { docs: 'docs', images: 'images' });
  refused(request({ into: 'one_name' }), /`into` "one_name" names one collection, but the backup holds 2; put \{collection\} in it/, 'QdrantBadDestination');
});

test('collection names Qdrant would refuse are refused up front, naming `into`', () => {
  refused(request({ manifest: manifest('docs'), into: 'a/b' }), /`into` gives collection name "a\/b", which contains "\/"/);
  refused(request({ manifest: manifest('docs'), into: 'why?' }), /contains "\?"/);
  refused(request({ manifest: manifest('docs'), into: '' }), /which is empty/);
  refused(request({ manifest: manifest('docs'), into: 'ł'.repeat(128) }), /longer than 255 bytes/);
  refused(request({ manifest: manifest('x'.repeat(240)) }), /the restore name of collection "x+" gives .* longer than 255 bytes; choose names with `into`/);
  assert.equal(qdrantEngine.destination(request({ manifest: manifest('docs'), into: 'with space #1' })).rename.docs, 'with space #1');
});

test('a drill never restores into a production collection: same server (however spelled), same name', () => {
  refused(request({ purpose: 'drill', into: '{collection}' }), /a drill may not restore into production collection\(s\) docs, images on http:\/\/127.0.0.1:6333/, 'QdrantDrillIntoProduction');
  // The drill server is another configured target's server, spelled differently.
  const other: QdrantTarget = { type: 'qdrant', name: 'search', url: 'http://localhost:6333/' };
  const drillAtOther = { ...source, url: 'http://10.0.0.5:6333', drill: { url: 'http://localhost:6333' } };
  refused(request({ source: drillAtOther, purpose: 'drill', into: '{collection}', targets: [drillAtOther, other] }), /\(the server of target search\)/);
  // A drill server no production target uses may take the original names.
  const isolated = { ...source, drill: { url: 'http://10.0.0.9:6333' } };
  assert.deepEqual(qdrantEngine.destination(request({ source: isolated, purpose: 'drill', into: '{collection}', targets: [isolated] })).rename, { docs: 'docs', images: 'images' });
});
