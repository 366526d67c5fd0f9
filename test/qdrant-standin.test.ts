/**
 * The qdrant stand-in, in two parts:
 * - its validator is real: loaded from the spec, it rejects bad requests and bad responses (always local);
 * - Qdrant behaviour Cairn relies on (snapshots, checksums, recovery, aliases, counts), run against
 *   $QDRANT_URL when set, so the same tests keep the stand-in honest against a real Qdrant.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { inspectTar } from '../engines/qdrant/tar-check';
import { Contract } from './qdrant-standin/contract';
import { qdrantUnderTest, standinUnderTest, type QdrantUnderTest } from './qdrant-standin/harness';
import { normalize } from './qdrant-standin/schema-set';
import { loadSpec } from './qdrant-standin/spec-file';

describe('the validator, loaded from the real spec', () => {
  const contract = new Contract(loadSpec());
  const create = contract.operation('create_collection');
  const list = contract.operation('get_collections');

  test('rejects a bad request body and names the schema it breaks', () => {
    assert.deepEqual(contract.checkBody(create, 'application/json', { vectors: { size: 4, distance: 'Cosine' } }), { ok: true, value: { vectors: { size: 4, distance: 'Cosine' } } });
    const bad = contract.checkBody(create, 'application/json', { vectors: { size: 'four', distance: 'Cosine' } });
    assert.equal(bad.ok, false);
    assert.match((bad as { problem: string }).problem, /\/vectors\/size must be integer \[components\/schemas\/VectorParams\/properties\/size\]/);
    const distance = contract.checkBody(create, 'application/json', { vectors: { size: 4, distance: 'Hamming' } });
    assert.equal(distance.ok, false);
  });

  test('rejects a bad response body', () => {
    assert.deepEqual(contract.checkResponse(list, 200, 'application/json', { result: { collections: [{ name: 'a' }] }, status: 'ok', time: 0.1 }), []);
    const problems = contract.checkResponse(list, 200, 'application/json', { result: { collections: [{ nom: 'a' }] }, status: 'ok', time: 0.1 });
    assert.match(problems.join(), /must have required property 'name' \[components\/schemas\/CollectionDescription\]/);
    assert.match(contract.checkResponse(list, 404, 'application/json', { status: { error: 42 }, time: 0 }).join(), /\/status\/error must be string/);
  });

  test('checks content types and undocumented statuses', () => {
    const download = contract.operation('get_snapshot');
    assert.deepEqual(contract.checkResponse(download, 200, 'application/octet-stream'), []);
    assert.match(contract.checkResponse(download, 200, 'application/json', {}).join(), /content type application\/json is not documented for 200/);
    assert.match(contract.checkResponse(contract.operation('root'), 202, 'application/json', {}).join(), /status 202 is not documented/);
  });

  test('reads OpenAPI 3.0 as written: a lone {nullable: true} is "or null", uint formats are numeric checks', () => {
    const count = contract.operation('count_points');
    const ok = (result: unknown, usage?: unknown) => contract.checkResponse(count, 200, 'application/json', { result, status: 'ok', time: 0, usage });
    assert.deepEqual(ok({ count: 3 }, null), []);
    assert.notDeepEqual(ok({ count: 3 }, 5), [], 'usage is Usage or null, not anything');
    assert.notDeepEqual(ok({ count: -1 }), []);
    assert.notDeepEqual(ok({ count: 1.5 }), []);
    const snapshot = contract.operation('create_snapshot');
    const described = (creation_time: unknown) => contract.checkResponse(snapshot, 200, 'application/json', { result: { name: 'x', size: 1, creation_time, checksum: null }, status: 'ok', time: 0 });
    assert.deepEqual(described('2022-08-04T10:49:10'), []);
    assert.notDeepEqual(described('4 August 2022'), []);
  });

  test('refuses a spec keyword it would not check, instead of skipping it', () => {
    assert.throws(() => normalize({ type: 'object', discriminator: { propertyName: 'kind' } }, 'test'), /uses keyword "discriminator"/);
  });

  test('types query parameters as serde would, and refuses unknown ones', () => {
    const upload = contract.operation('recover_from_uploaded_snapshot');
    const check = (query: string) => contract.checkParams(upload, { collection_name: 'c' }, new URLSearchParams(query));
    assert.deepEqual(check('wait=true&priority=snapshot'), { ok: true, value: { collection_name: 'c', wait: true, priority: 'snapshot' } });
    assert.match((check('priority=Snapshot') as { problem: string }).problem, /must be equal to one of the allowed values/);
    assert.match((check('wait=yes') as { problem: string }).problem, /"wait"="yes": \/ must be boolean/);
    assert.match((check('priorty=snapshot') as { problem: string }).problem, /unknown query parameter "priorty"/);
  });
});

describe('the stand-in over HTTP', () => {
  test('answers a response that breaks the spec with 500 and records it as a violation', async () => {
    const broken = await standinUnderTest({ handlers: { get_collections: async () => ({ result: { collections: [{ nom: 'x' }] } }) } });
    try {
      const res = await broken.fetch('GET', '/collections');
      assert.equal(res.status, 500);
      assert.match(await res.text(), /qdrant stand-in bug: .*CollectionDescription/);
      const { violations } = await broken.journal();
      assert.equal(violations.length, 1);
      assert.equal(violations[0].request, 'GET /collections');
    } finally {
      await broken.stop();
    }
  });

  test('answers a request that breaks the spec with 400 naming the schema error, in Qdrant\'s error shape', async () => {
    const s = await standinUnderTest();
    try {
      const res = await s.fetch('PUT', '/collections/x', { body: JSON.stringify({ vectors: { size: -4, distance: 'Cosine' } }), headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { status: { error: string }; time: number };
      assert.match(body.status.error, /^Format error in JSON body: \/vectors\/size must be >= 1/);
      const unknown = await s.fetch('GET', '/no/such/route');
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { status: { error: string } }).status.error, /^Not found: no route/);
      const unauthenticated = await fetch(`${s.target.url}/collections`);
      assert.equal(unauthenticated.status, 401);
      assert.deepEqual(await s.journal(), { violations: [], pitfalls: [] });
    } finally {
      await s.stop();
    }
  });

  test('GET / says it is the stand-in', async () => {
    const s = await standinUnderTest();
    try {
      const root = (await (await s.fetch('GET', '/')).json()) as { title: string; version: string };
      assert.equal(root.title, 'qdrant stand-in (cairn test double; not Qdrant)');
      assert.equal(root.version, '1.19.0');
    } finally {
      await s.stop();
    }
  });
});

describe('Qdrant behaviour Cairn relies on', () => {
  let q: QdrantUnderTest;
  const c = `cairn_s_${randomUUID().slice(0, 8)}`;
  const created: string[] = [];
  const createCollection = async (name: string, n: number) => {
    created.push(name);
    await q.call('PUT', `/collections/${name}`, { vectors: { size: 3, distance: 'Euclid' } });
    const points = Array.from({ length: n }, (_, i) => ({ id: i + 1, vector: [i, i / 2, -i], payload: { i, even: i % 2 === 0 } }));
    if (n) await q.call('PUT', `/collections/${name}/points?wait=true`, { points });
  };
  const scroll = (name: string) => q.call<{ points: unknown[] }>('POST', `/collections/${name}/points/scroll`, { limit: 1000, with_vector: true });
  const upload = async (name: string, bytes: Buffer, query: string) => {
    const form = new FormData();
    form.append('snapshot', new Blob([bytes]), 'x.snapshot');
    return q.fetch('POST', `/collections/${name}/snapshots/upload?${query}`, { body: form });
  };

  before(async () => {
    q = await qdrantUnderTest();
    await createCollection(c, 25);
  });
  after(async () => {
    for (const name of created) await q.fetch('DELETE', `/collections/${name}`);
    await q.stop();
  });

  let snapshotBytes: Buffer;
  test('a snapshot is named like Qdrant names it, listed, downloadable as a whole tar with its SHA-256, and deletable', async () => {
    const snap = await q.call<{ name: string; size: number; checksum: string | null; creation_time: string | null }>('POST', `/collections/${c}/snapshots?wait=true`);
    assert.match(snap.name, new RegExp(`^${c}-\\d+-\\d{4}(-\\d\\d){5}\\.snapshot$`));
    const listed = await q.call<{ name: string }[]>('GET', `/collections/${c}/snapshots`);
    assert.ok(listed.some((s) => s.name === snap.name));
    const res = await q.fetch('GET', `/collections/${c}/snapshots/${snap.name}`);
    assert.equal(res.status, 200);
    snapshotBytes = Buffer.from(await res.arrayBuffer());
    assert.equal(snapshotBytes.length, snap.size);
    const sha = createHash('sha256').update(snapshotBytes).digest('hex');
    if (snap.checksum !== null) assert.equal(snap.checksum, sha);
    const tar = await inspectTar(Readable.from([snapshotBytes]));
    assert.ok(tar.entries > 0);
    await q.call('DELETE', `/collections/${c}/snapshots/${snap.name}?wait=true`);
    const after = await q.call<{ name: string }[]>('GET', `/collections/${c}/snapshots`);
    assert.ok(!after.some((s) => s.name === snap.name));
  });

  test('an upload with a wrong checksum is refused with 400 and changes nothing', async () => {
    const target = `${c}_bad`;
    created.push(target);
    const res = await upload(target, snapshotBytes, `wait=true&priority=snapshot&checksum=${'0'.repeat(64)}`);
    assert.equal(res.status, 400);
    const { collections } = await q.call<{ collections: { name: string }[] }>('GET', '/collections');
    assert.ok(!collections.some((x) => x.name === target));
  });

  test('an upload with the right checksum and priority=snapshot recovers every point under the new name', async () => {
    const target = `${c}_copy`;
    created.push(target);
    const sha = createHash('sha256').update(snapshotBytes).digest('hex');
    const res = await upload(target, snapshotBytes, `wait=true&priority=snapshot&checksum=${sha}`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await scroll(target), await scroll(c));
    assert.deepEqual(await q.call('POST', `/collections/${target}/points/count`, { exact: true }), { count: 25 });
    // The uploaded file stays on the server's disk, listed among the collection's snapshots under its upload name.
    const kept = await q.call<{ name: string; size: number }[]>('GET', `/collections/${target}/snapshots`);
    assert.deepEqual(kept.map((x) => [x.name, x.size]), [['x.snapshot', snapshotBytes.length]]);
    await q.call('DELETE', `/collections/${target}/snapshots/x.snapshot?wait=true`);
  });

  test('recovery from a location URL restores the collection', async (t) => {
    if (q.real) return t.skip('a real server may not reach its own external URL');
    const snap = await q.call<{ name: string; checksum: string }>('POST', `/collections/${c}/snapshots?wait=true`);
    const target = `${c}_located`;
    created.push(target);
    await q.call('PUT', `/collections/${target}/snapshots/recover?wait=true`, {
      location: `${q.target.url}/collections/${c}/snapshots/${snap.name}`, priority: 'snapshot', checksum: snap.checksum, api_key: q.target.apiKey,
    });
    assert.deepEqual(await scroll(target), await scroll(c));
    await q.call('DELETE', `/collections/${c}/snapshots/${snap.name}`);
  });

  test('aliases: created, renamed, listed per collection, and dropped with their collection', async () => {
    const other = `${c}_aliased`;
    await createCollection(other, 0);
    await q.call('POST', '/collections/aliases', { actions: [{ create_alias: { alias_name: `${other}_a`, collection_name: other } }] });
    await q.call('POST', '/collections/aliases', { actions: [{ rename_alias: { old_alias_name: `${other}_a`, new_alias_name: `${other}_b` } }] });
    assert.deepEqual(await q.call('GET', `/collections/${other}/aliases`), { aliases: [{ alias_name: `${other}_b`, collection_name: other }] });
    await q.call('DELETE', `/collections/${other}`);
    const { aliases } = await q.call<{ aliases: { alias_name: string }[] }>('GET', '/aliases');
    assert.ok(!aliases.some((a) => a.alias_name === `${other}_b`));
  });

  test('scroll pages through every point in id order; count is exact', async () => {
    const first = await q.call<{ points: { id: number }[]; next_page_offset: number }>('POST', `/collections/${c}/points/scroll`, { limit: 10 });
    assert.deepEqual(first.points.map((p) => p.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(first.next_page_offset, 11);
    assert.deepEqual(await q.call('POST', `/collections/${c}/points/count`, { exact: true }), { count: 25 });
  });

  test('recovery over an existing collection: same vectors replace its points and keep its aliases; other vectors are refused, changing nothing', async () => {
    const same = `${c}_same`;
    await createCollection(same, 3);
    await q.call('POST', '/collections/aliases', { actions: [{ create_alias: { alias_name: `${same}_a`, collection_name: same } }] });
    const sha = createHash('sha256').update(snapshotBytes).digest('hex');
    const res = await upload(same, snapshotBytes, `wait=true&priority=snapshot&checksum=${sha}`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await scroll(same), await scroll(c));
    assert.deepEqual(await q.call('GET', `/collections/${same}/aliases`), { aliases: [{ alias_name: `${same}_a`, collection_name: same }] });

    const other = `${c}_other`;
    created.push(other);
    await q.call('PUT', `/collections/${other}`, { vectors: { size: 2, distance: 'Dot' } });
    const refused = await upload(other, snapshotBytes, `wait=true&priority=snapshot&checksum=${sha}`);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { status: { error: string } }).status.error, /^Wrong input: Snapshot is not compatible with existing collection/);
    const info = await q.call<{ config: { params: { vectors: unknown } } }>('GET', `/collections/${other}`);
    assert.deepEqual(info.config.params.vectors, { size: 2, distance: 'Dot' });
    // Even the refused upload stays on the server's disk, as do the recovered ones.
    for (const name of [same, other]) {
      assert.deepEqual((await q.call<{ name: string }[]>('GET', `/collections/${name}/snapshots`)).map((x) => x.name), ['x.snapshot']);
      await q.call('DELETE', `/collections/${name}/snapshots/x.snapshot?wait=true`);
    }
  });

  test('sparse and multi-vectors: stored sorted and normalised as Qdrant does, fetched by id, and carried by snapshots', async () => {
    const mixed = `${c}_mixed`;
    created.push(mixed);
    await q.call('PUT', `/collections/${mixed}`, {
      vectors: { multi: { size: 2, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } } }, sparse_vectors: { sp: {} },
    });
    const points = [
      { id: 1, vector: { multi: [[0.3, 0.4], [0, 2.5]], sp: { indices: [9, 2], values: [0.5, 0.25] } }, payload: { k: 'v' } },
      { id: 2, vector: { sp: { indices: [1], values: [1] } }, payload: {} },
    ];
    await q.call('PUT', `/collections/${mixed}/points?wait=true`, { points });
    const fetched = await q.call('POST', `/collections/${mixed}/points`, { ids: [2, 1, 3], with_payload: true, with_vector: true });
    const expected = [
      { id: 1, payload: { k: 'v' }, vector: { multi: [[0.6, 0.8], [0, 1]], sp: { indices: [2, 9], values: [0.25, 0.5] } } },
      { id: 2, payload: {}, vector: { sp: { indices: [1], values: [1] } } },
    ];
    const byId = (list: unknown) => (list as { id: number }[]).sort((a, b) => a.id - b.id);
    assert.deepEqual(byId(fetched), expected);
    const info = await q.call<{ config: { params: { sparse_vectors: unknown } } }>('GET', `/collections/${mixed}`);
    assert.deepEqual(info.config.params.sparse_vectors, { sp: {} });

    const snap = await q.call<{ name: string }>('POST', `/collections/${mixed}/snapshots?wait=true`);
    const bytes = Buffer.from(await (await q.fetch('GET', `/collections/${mixed}/snapshots/${snap.name}`)).arrayBuffer());
    await q.call('DELETE', `/collections/${mixed}/snapshots/${snap.name}`);
    const copy = `${mixed}_copy`;
    created.push(copy);
    assert.equal((await upload(copy, bytes, 'wait=true&priority=snapshot')).status, 200);
    assert.deepEqual(byId(await q.call('POST', `/collections/${copy}/points`, { ids: [1, 2], with_payload: true, with_vector: true })), expected);
    await q.call('DELETE', `/collections/${copy}/snapshots/x.snapshot?wait=true`);
  });

  test('the stand-in never broke the spec and saw no risky request', async () => {
    assert.deepEqual(await q.journal(), { violations: [], pitfalls: [] });
  });
});
