/**
 * Masking a restored Neo4j copy (config/masking.ts): every node with the rule's label and the property set gets
 * the property replaced in batches (memory stays bounded however big the graph). Each masked node is marked with
 * a temporary property of the rule, so a retried apply skips what an earlier attempt already masked (hashing a
 * hash would not be harmless) and counts them all; finish() removes the marks once apply's result is recorded.
 * hash: hex SHA-256 of the string's UTF-8 bytes, the same as a PostgreSQL column's, so equal values stay equal.
 */
import { createHash } from 'node:crypto';
import neo4j, { type Driver } from 'neo4j-driver';
import type { Neo4jTarget, Target } from '../../config/types';
import { describeWith, maskedField, type MaskRule, type PropertyRule } from '../../config/masking';
import { PermanentError, type Destination, type MaskContext, type MaskedField, type Masking } from '../engine';
import { withDriver } from './connect';
import { placeOf } from './destination';

const BATCH = 5000;

export const neo4jMasking: Masking<Neo4jTarget> = {
  production: (dest: Destination<Neo4jTarget>, targets: Target[]) =>
    targets.find((t) => t.type === 'neo4j' && placeOf(t) === placeOf(dest.target))?.name,
  apply: (dest, rules, ctx) => withDriver(dest.target, async (driver) => {
    const results: MaskedField[] = [];
    for (const rule of rules as PropertyRule[]) {
      await requireKeys(driver, dest.target.database, rule);
      if (rule.with === 'hash') await hashProperty(driver, dest.target.database, rule, ctx);
      else await run(driver, dest.target.database, `MATCH (n:${esc(rule.label)}) WHERE n.${esc(rule.property)} IS NOT NULL AND n.${mark(rule)} IS NULL
        CALL (n) { SET n.${esc(rule.property)} = $value, n.${mark(rule)} = true } IN TRANSACTIONS OF ${BATCH} ROWS`,
      { value: rule.with === 'null' ? null : rule.with.value });
      const counted = await run(driver, dest.target.database, `MATCH (n:${esc(rule.label)}) WHERE n.${mark(rule)} IS NOT NULL RETURN count(n) AS n`);
      results.push({ rule: rule.at, field: maskedField(rule), with: describeWith(rule.with), changed: counted[0]!.get('n').toNumber() });
      ctx.heartbeat({ masked: results.length, of: rules.length });
    }
    return results;
  }),
  finish: (dest, rules) => withDriver(dest.target, async (driver) => {
    for (const rule of rules as PropertyRule[]) {
      await run(driver, dest.target.database, `MATCH (n:${esc(rule.label)}) WHERE n.${mark(rule)} IS NOT NULL
        CALL (n) { REMOVE n.${mark(rule)} } IN TRANSACTIONS OF ${BATCH} ROWS`);
    }
  }),
};

const esc = (name: string) => `\`${name.replace(/`/g, '``')}\``;
/** The rule's temporary mark, named from its field so two rules on one label never share one. */
const mark = (rule: MaskRule) => `__cairn_masked_${createHash('sha256').update(maskedField(rule)).digest('hex').slice(0, 12)}`;
const refuse = (rule: PropertyRule, problem: string) =>
  new PermanentError(`masking rule ${rule.at} (${maskedField(rule)}, with ${describeWith(rule.with)}): ${problem}`, 'MaskRuleFailed');

async function run(driver: Driver, database: string, query: string, params: Record<string, unknown> = {}) {
  const session = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
  try {
    return (await session.run(query, params)).records;
  } finally {
    await session.close();
  }
}

/** A label or property key the restored graph has never used is a misspelt rule: it would silently mask nothing. */
async function requireKeys(driver: Driver, database: string, rule: PropertyRule): Promise<void> {
  const [found] = await run(driver, database, `CALL db.labels() YIELD label WITH collect(label) AS labels
    CALL db.propertyKeys() YIELD propertyKey RETURN $label IN labels AS label, $property IN collect(propertyKey) AS property`,
  { label: rule.label, property: rule.property });
  if (!found?.get('label')) throw refuse(rule, `there is no label ${rule.label} in the restored graph`);
  if (!found.get('property')) throw refuse(rule, `no node or relationship in the restored graph has a property "${rule.property}"`);
  if (rule.with !== 'hash') return;
  // Checked before anything changes: hash applies to strings only.
  const [other] = await run(driver, database, `MATCH (n:${esc(rule.label)}) WHERE n.${esc(rule.property)} IS NOT NULL AND NOT n.${esc(rule.property)} IS :: STRING
    RETURN count(n) AS n, valueType(head(collect(n.${esc(rule.property)}))) AS type`);
  const n = other!.get('n').toNumber();
  if (n) throw refuse(rule, `${n} node(s) hold a non-string value there (${other!.get('type')}), and hash applies to strings: use null or { value: ... }`);
}

/** Streams the values still unmasked and writes their hashes back, one batch per transaction. */
async function hashProperty(driver: Driver, database: string, rule: PropertyRule, ctx: MaskContext): Promise<void> {
  const reader = driver.session({ database, defaultAccessMode: neo4j.session.READ, fetchSize: BATCH });
  const write = `UNWIND $rows AS r MATCH (n) WHERE elementId(n) = r.id SET n.${esc(rule.property)} = r.hash, n.${mark(rule)} = true`;
  let rows: { id: string; hash: string }[] = [];
  const flush = async () => {
    if (rows.length) await run(driver, database, write, { rows });
    rows = [];
    ctx.heartbeat({ hashing: maskedField(rule) });
  };
  try {
    const result = reader.run(`MATCH (n:${esc(rule.label)}) WHERE n.${esc(rule.property)} IS NOT NULL AND n.${mark(rule)} IS NULL
      RETURN elementId(n) AS id, n.${esc(rule.property)} AS value`);
    for await (const record of result) {
      const value: unknown = record.get('value');
      if (typeof value !== 'string') throw refuse(rule, 'a node was given a non-string value while masking ran; hash applies to strings');
      rows.push({ id: record.get('id') as string, hash: createHash('sha256').update(value, 'utf8').digest('hex') });
      if (rows.length >= BATCH) await flush();
    }
    await flush();
  } finally {
    await reader.close();
  }
}
