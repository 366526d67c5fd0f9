/**
 * Property values <-> JSON without losing a Neo4j type (see FORMAT.md). A JSON string or boolean
 * is itself; a JSON number is always a FLOAT; every other type is a one-key object whose key
 * starts with '$'. decode() gives back exactly the driver values Neo4j stores the same way.
 */
import neo4j, {
  Date as NeoDate, DateTime, Duration, Integer, LocalDateTime, LocalTime, Point, Time,
  isDate, isDateTime, isDuration, isInt, isLocalDateTime, isLocalTime, isPoint, isTime,
} from 'neo4j-driver';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Num = number | Integer | bigint;
export type Props = Record<string, unknown>;

// Small components (years, hours, offsets, srids) always fit a JS number.
const n = (v: Num): number => (isInt(v) ? (v as Integer).toNumber() : Number(v));
const big = (v: Num): string => v.toString();

/** JSON cannot say NaN, Infinity or -0: those floats become strings. */
function encodeFloat(x: number): number | string {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x;
  return Object.is(x, -0) ? '-0' : String(x); // 'NaN' | 'Infinity' | '-Infinity'
}

function decodeFloat(x: Json): number {
  if (typeof x === 'number') return x;
  if (x === '-0') return -0;
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
  throw new Error(`not a float: ${JSON.stringify(x)}`);
}

export function encodeValue(v: unknown): Json {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    const f = encodeFloat(v);
    return typeof f === 'number' ? f : { $float: f };
  }
  if (isInt(v) || typeof v === 'bigint') return { $int: big(v as Num) };
  if (v instanceof Int8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (isDate(v)) return { $date: [n(v.year), n(v.month), n(v.day)] };
  if (isLocalTime(v)) return { $localtime: [n(v.hour), n(v.minute), n(v.second), n(v.nanosecond)] };
  if (isTime(v)) return { $time: [n(v.hour), n(v.minute), n(v.second), n(v.nanosecond), n(v.timeZoneOffsetSeconds)] };
  if (isLocalDateTime(v)) {
    return { $localdatetime: [n(v.year), n(v.month), n(v.day), n(v.hour), n(v.minute), n(v.second), n(v.nanosecond)] };
  }
  if (isDateTime(v)) {
    // Keep the offset even when a zone id is present: it pins the instant in DST overlaps.
    const offset = v.timeZoneOffsetSeconds == null ? null : n(v.timeZoneOffsetSeconds);
    return {
      $datetime: [n(v.year), n(v.month), n(v.day), n(v.hour), n(v.minute), n(v.second), n(v.nanosecond),
        offset, v.timeZoneId ?? null],
    };
  }
  // Duration fields are 64-bit in Neo4j, so they travel as strings like $int.
  if (isDuration(v)) return { $duration: [big(v.months), big(v.days), big(v.seconds), big(v.nanoseconds)] };
  if (isPoint(v)) {
    const coords = v.z === undefined ? [v.x, v.y] : [v.x, v.y, v.z];
    return { $point: [n(v.srid), ...coords.map(encodeFloat)] };
  }
  throw new Error(`unsupported property value type: ${describe(v)}`);
}

export function decodeValue(j: Json): unknown {
  if (typeof j === 'string' || typeof j === 'boolean' || typeof j === 'number') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  if (j === null || typeof j !== 'object') throw new Error(`unexpected value ${JSON.stringify(j)}`);
  const keys = Object.keys(j);
  if (keys.length !== 1) throw new Error(`unexpected object ${JSON.stringify(j).slice(0, 80)}`);
  const tag = keys[0];
  const a = j[tag] as Json[];
  switch (tag) {
    case '$int': return neo4j.int(j[tag] as string);
    case '$float': return decodeFloat(j[tag]);
    case '$bytes': return bytes(j[tag] as string);
    case '$date': return new NeoDate(ints(a[0]), ints(a[1]), ints(a[2]));
    case '$localtime': return new LocalTime(ints(a[0]), ints(a[1]), ints(a[2]), ints(a[3]));
    case '$time': return new Time(ints(a[0]), ints(a[1]), ints(a[2]), ints(a[3]), ints(a[4]));
    case '$localdatetime':
      return new LocalDateTime(ints(a[0]), ints(a[1]), ints(a[2]), ints(a[3]), ints(a[4]), ints(a[5]), ints(a[6]));
    case '$datetime':
      return new DateTime(ints(a[0]), ints(a[1]), ints(a[2]), ints(a[3]), ints(a[4]), ints(a[5]), ints(a[6]),
        a[7] === null ? undefined : ints(a[7]), a[8] === null ? undefined : (a[8] as string));
    case '$duration':
      return new Duration(neo4j.int(a[0] as string), neo4j.int(a[1] as string), neo4j.int(a[2] as string), neo4j.int(a[3] as string));
    case '$point': {
      const [x, y, z] = a.slice(1).map(decodeFloat);
      return new Point(ints(a[0]), x, y, z);
    }
    default: throw new Error(`unknown value tag ${tag}`);
  }
}

/** Neo4j returns every integer field as Integer; sending them back as Integer keeps them integers. */
function ints(x: Json): Integer {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new Error(`expected an integer, got ${JSON.stringify(x)}`);
  return neo4j.int(x);
}

function bytes(b64: string): Int8Array {
  const buf = Buffer.from(b64, 'base64');
  return new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Object.fromEntries, not assignment, so a property literally named "__proto__" stays a property. Keys sorted
 * by UTF-16 code unit: the export's canonical order (FORMAT.md), whatever order the server returned them in.
 */
export const encodeProps = (props: Props): Record<string, Json> =>
  Object.fromEntries(Object.keys(props).sort(byCodeUnit).map((k) => [k, named(k, () => encodeValue(props[k]))]));

export const decodeProps = (props: Record<string, Json>): Props =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, named(k, () => decodeValue(v))]));

function named<R>(key: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    throw new Error(`property "${key}": ${(err as Error).message}`);
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}
