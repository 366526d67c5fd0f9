/**
 * The export reads properties as [key, value] pairs with temporal values as the server's text (properties.ts).
 * Its JSON text must be exactly what the driver's own objects encode to: old backups' fingerprints are compared
 * with texts taken this way. Runs on the local main instance under a label of its own (nothing else is touched).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withDriver } from '../engines/neo4j/connect';
import { encodeProps } from '../engines/neo4j/format';
import { propsJson, type PropertyPair } from '../engines/neo4j/properties';
import { pairsExpression, plainPairs, temporalTextPairs } from '../engines/neo4j/property-query';
import { encodeTemporalText } from '../engines/neo4j/temporal-text';
import { ALL_TYPES, cypher, mainTarget } from './support/neo4j-graph';

const LABEL = `PropsText_${randomUUID().slice(0, 8)}`;

before(async () => {
  await cypher(mainTarget, `CREATE (a:${LABEL} {uid: 'all-types'}) SET a += $props
    CREATE (b:${LABEL} {uid: 'keys', \`10\`: 1, \`9\`: 2, \`0\`: 3, \`01\`: 4, \`-1\`: 5, \`4294967294\`: 6, \`4294967295\`: 7,
      \`__proto__\`: 8, Z: 9, a: 10, \`é\`: 11, \`😀\`: 12})
    CREATE (c:${LABEL} {uid: 'empty'})
    CREATE (a)-[:PROPS_TEXT_REL]->(b) CREATE (b)-[r:PROPS_TEXT_REL]->(c) SET r += $props`, { props: ALL_TYPES });
});

after(() => cypher(mainTarget, `MATCH (n:${LABEL}) DETACH DELETE n`));

test('properties read as pairs encode to exactly the text of the driver\'s objects, for every type and key order', async () => {
  assert.equal(await withDriver(mainTarget, (d) => pairsExpression(d, mainTarget.database)), temporalTextPairs, 'a 5.26 server gets temporals as text');
  const nodes = await cypher(mainTarget, `MATCH (n:${LABEL}) WITH n, properties(n) AS p
    RETURN n.uid AS uid, p AS props, ${temporalTextPairs('p')} AS pairs, ${plainPairs('p')} AS plain`);
  const rels = await cypher(mainTarget, `MATCH (:${LABEL})-[r]->() WITH properties(r) AS p
    RETURN p AS props, ${temporalTextPairs('p')} AS pairs, ${plainPairs('p')} AS plain`);
  assert.equal(nodes.length + rels.length, 5);
  for (const r of [...nodes, ...rels]) {
    const expected = JSON.stringify(encodeProps(r.get('props')));
    // The driver's record maps drop a key named __proto__ (they assign it, which sets the prototype); pairs keep it.
    assert.equal(propsJson(r.get('pairs') as PropertyPair[], '__proto__'), expected);
    // What a server without type predicates gets (the driver's objects as pairs) gives the same text too.
    assert.equal(propsJson(r.get('plain') as PropertyPair[]), propsJson(r.get('pairs') as PropertyPair[]));
  }
  const keys = nodes.find((r) => r.get('uid') === 'keys')!;
  assert.deepEqual(JSON.parse(propsJson(keys.get('pairs'))).__proto__, { $int: '8' });
  // Array-index keys first in numeric order, as JSON.stringify of an object writes them; the rest by code unit.
  assert.deepEqual(Object.keys(JSON.parse(propsJson(keys.get('pairs')))),
    ['0', '9', '10', '4294967294', '-1', '01', '4294967295', 'Z', '__proto__', 'a', 'uid', 'é', '😀']);
  // Temporal values really came as text, so the comparison above covered the parser.
  const pairs = nodes.find((r) => r.get('uid') === 'all-types')!.get('pairs') as PropertyPair[];
  assert.deepEqual(pairs.filter((p) => p.length === 3).map((p) => p[0]).sort(), [
    'date', 'dateTimes', 'dates', 'farDateTime', 'farDates', 'lmtDateTime', 'localDateTime', 'localDateTimes', 'localTime', 'localTimes',
    'noonLocal', 'offsetDateTime', 'oldDate', 'secondsOffsetTime', 'time', 'times', 'utcZone', 'zoned', 'zonedAmbiguous', 'zulu',
  ]);
  assert.equal(propsJson(pairs, 'uid').includes('"uid"'), false, 'skip leaves the key out');
});

test('temporal text of an unknown shape is refused, naming the text and the property', () => {
  assert.deepEqual(encodeTemporalText('2024-10-27T02:30:00.5+01:00[Europe/Paris]'), { $datetime: [2024, 10, 27, 2, 30, 0, 500_000_000, 3600, 'Europe/Paris'] });
  assert.deepEqual(encodeTemporalText('-0044-03-15'), { $date: [-44, 3, 15] });
  assert.deepEqual(encodeTemporalText('00:00:00.00012-01:00:59'), { $time: [0, 0, 0, 120_000, -3659] });
  assert.throws(() => encodeTemporalText('P1D'), /unrecognised temporal text from the server: "P1D"/);
  assert.throws(() => propsJson([['when', '2024-13', true]]), /property "when": unrecognised temporal text from the server: "2024-13"/);
});
