/**
 * The JSON text of an entity's properties, from the [key, value] pairs the export and the fingerprint scans read
 * (property-query.ts). propsJson writes them straight into the `props` text of FORMAT.md, character for character
 * what JSON.stringify(encodeProps(...)) writes for the driver's own objects, so the artifact and the fingerprints
 * are unchanged; building the text directly saves an object per entity and per typed value.
 */
import { isInt, type Integer } from 'neo4j-driver';
import { encodeValue } from './format';
import { encodeTemporalText } from './temporal-text';

/** A property as the queries of property-query.ts return it: [key, value], or [key, Neo4j's text, true] for temporals. */
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

