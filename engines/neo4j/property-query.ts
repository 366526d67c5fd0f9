/**
 * The Cypher that reads an entity's properties for the export and the fingerprint scans: [key, value] pairs from
 * the map bound by `WITH ..., properties(x) AS m` (lookups in that map cost the server about half of what reading
 * each property off the entity again does), with every temporal value already turned into Neo4j's own text where
 * the server can say which values are temporal. The driver's decoding of temporal values was a quarter of an
 * export's client CPU (temporal-text.ts says why). propsJson (properties.ts) turns either form into the same text.
 */
import neo4j, { Neo4jError, type Driver } from 'neo4j-driver';

// Durations and points are left to the driver: they decode without arithmetic.
const TEMPORAL = ['DATE', 'LOCAL TIME', 'ZONED TIME', 'LOCAL DATETIME', 'ZONED DATETIME'].map((t) => `${t} NOT NULL`).join(' | ');

/**
 * [key, value], or [key, text, true] for a temporal value and [key, [text, ...], true] for a non-empty list of
 * them. A list is judged by its first element (a property's list holds one type): on 5.26 a stored list fails
 * `IS :: LIST<DATE | ...>` with a union however typed, and an empty byte array passes any LIST<...> test while
 * it must still come back as bytes.
 */
export const temporalTextPairs = (m: string): string => `[k IN keys(${m}) | CASE
    WHEN ${m}[k] IS :: ${TEMPORAL} THEN [k, toString(${m}[k]), true]
    WHEN ${m}[k] IS :: LIST<ANY> THEN CASE WHEN size(${m}[k]) > 0 AND ${m}[k][0] IS :: ${TEMPORAL}
      THEN [k, [x IN ${m}[k] | toString(x)], true] ELSE [k, ${m}[k]] END
    ELSE [k, ${m}[k]] END]`;

/** Every value as the driver decodes it: for servers without type predicates (before 5.11 or so). */
export const plainPairs = (m: string): string => `[k IN keys(${m}) | [k, ${m}[k]]]`;

export type PairsExpression = (m: string) => string;

/**
 * The pairs expression this server runs. Tried on a literal map rather than decided by version number, so a
 * server that parses the type predicates gets them; only a syntax error falls back, anything else is thrown.
 */
export async function pairsExpression(driver: Driver, database: string): Promise<PairsExpression> {
  try {
    await driver.executeQuery(`WITH {d: date(), l: [localtime()], e: [], i: 1} AS m RETURN ${temporalTextPairs('m')} AS pairs`, {},
      { database, routing: neo4j.routing.READ });
    return temporalTextPairs;
  } catch (err) {
    if (err instanceof Neo4jError && err.code === 'Neo.ClientError.Statement.SyntaxError') return plainPairs;
    throw err;
  }
}
