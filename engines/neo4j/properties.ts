/**
 * How the export and the fingerprint scans read an entity's properties, and the JSON text they become.
 *
 * The query returns them as [key, value] pairs with every temporal value (and list of them) already turned into
 * Neo4j's text on the server: the driver's decoding of temporal values was a quarter of an export's client CPU
 * (temporal-text.ts says why). propsJson writes the pairs straight into the `props` text of FORMAT.md, character
 * for character what JSON.stringify(encodeProps(...)) writes for the driver's own objects, so the artifact and
 * the fingerprints are unchanged; building the text directly saves an object per entity and per typed value.
 */
import { isInt, type Integer } from 'neo4j-driver';
import { encodeValue } from './format';
import { encodeTemporalText } from './temporal-text';

// Durations and points are left to the driver: they decode without arithmetic.
const TEMPORAL = ['DATE', 'LOCAL TIME', 'ZONED TIME', 'LOCAL DATETIME', 'ZONED DATETIME'].map((t) => `${t} NOT NULL`).join(' | ');

/**
 * The properties in the map `m` (bind it with `WITH ..., properties(x) AS m`: lookups in that map cost the server
 * about half of what reading each property off the entity again does) as a list of [key, value], or
 * [key, text, true] for a temporal value and [key, [text, ...], true] for a non-empty list of them. A list is
 * judged by its first element (a property's list holds one type): on 5.26 a stored list fails
 * `IS :: LIST<DATE | ...>` with a union however typed, and an empty byte array passes any LIST<...> test while it
 * must still come back as bytes.
 */
export const propertyPairs = (m: string): string => `[k IN keys(${m}) | CASE
    WHEN ${m}[k] IS :: ${TEMPORAL} THEN [k, toString(${m}[k]), true]
    WHEN ${m}[k] IS :: LIST<ANY> THEN CASE WHEN size(${m}[k]) > 0 AND ${m}[k][0] IS :: ${TEMPORAL}
      THEN [k, [x IN ${m}[k] | toString(x)], true] ELSE [k, ${m}[k]] END
    ELSE [k, ${m}[k]] END]`;

export type PropertyPair = [string, unknown] | [string, string | string[], true];

/**
 * The canonical key order. Keys are sorted by UTF-16 code unit, except that JSON.stringify of an object (which
 * wrote every earlier export) puts array-index keys ("0", "7", "10": canonical integers below 2^32 - 1) first,
 * in numeric order: kept, so that texts and fingerprints stay the same for every graph.
 */
function isArrayIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && k.length > 1) || k.length > 10) return false;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(k) < 4294967295;
}

function byKey(a: PropertyPair, b: PropertyPair): number {
  const [x, y] = [a[0], b[0]];
  const ix = isArrayIndex(x);
  if (ix !== isArrayIndex(y)) return ix ? -1 : 1;
  if (ix) return Number(x) - Number(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The JSON text of one encoded value; the common types without building the encoding's object first. */
function valueJson(p: PropertyPair): string {
  const v = p[1];
  if (p.length === 3) return JSON.stringify(Array.isArray(v) ? v.map(encodeTemporalText) : encodeTemporalText(v as string));
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)) return String(v);
  if (isInt(v)) return `{"$int":"${(v as Integer).toString()}"}`;
  return JSON.stringify(encodeValue(v));
}

/** The `props` text of an entity (FORMAT.md) from its pairs; `skip` leaves one key out (a restore's temporary id). */
export function propsJson(pairs: PropertyPair[], skip?: string): string {
  let text = '';
  for (const p of pairs.sort(byKey)) {
    if (p[0] === skip) continue;
    let value: string;
    try {
      value = valueJson(p);
    } catch (err) {
      throw new Error(`property "${p[0]}": ${(err as Error).message}`);
    }
    text += (text ? ',' : '{') + JSON.stringify(p[0]) + ':' + value;
  }
  return text ? text + '}' : '{}';
}

