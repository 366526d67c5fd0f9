/**
 * Temporal values read as the text Neo4j's own toString() gives them, turned into the export's typed encoding
 * (FORMAT.md, "Property values") with exactly the fields the driver's objects would have given.
 *
 * Why: the driver rebuilds every DATE, TIME and DATETIME's local fields from epoch values with 64-bit Integer
 * arithmetic (and a zone id through Intl), which was a quarter of an export's client CPU. The server already
 * knows the local fields, offset and zone id, and its text carries all of them: parsing it is cheap, and the
 * fields are the server's own (no client time-zone database involved).
 *
 * Neo4j prints years outside 0000-9999 with a sign (+12345, -0005), always prints seconds, trims trailing zeros
 * of the fraction (.5 is 500000000 ns), writes offset 0 as Z and an offset with seconds as +05:45:30, and
 * puts a zone id after the offset in brackets: 2024-10-27T02:30:00+01:00[Europe/Paris].
 */
import type { Json } from './format';

const DATE = '([+-]?\\d{4,})-(\\d{2})-(\\d{2})';
const TIME = '(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?';
const OFFSET = '(Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const DATE_RE = new RegExp(`^${DATE}$`);
const LOCAL_TIME_RE = new RegExp(`^${TIME}$`);
const TIME_RE = new RegExp(`^${TIME}${OFFSET}$`);
const LOCAL_DATETIME_RE = new RegExp(`^${DATE}T${TIME}$`);
const DATETIME_RE = new RegExp(`^${DATE}T${TIME}${OFFSET}(?:\\[([^\\]]+)\\])?$`);

const num = (s: string | undefined): number => (s === undefined ? 0 : parseInt(s, 10));
const nanos = (fraction: string | undefined): number => (fraction === undefined ? 0 : parseInt(fraction.padEnd(9, '0'), 10));

function offsetSeconds(text: string): number {
  if (text === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const seconds = text.length > 6 ? num(text.slice(7, 9)) : 0; // +hh:mm or +hh:mm:ss
  return sign * (num(text.slice(1, 3)) * 3600 + num(text.slice(4, 6)) * 60 + seconds);
}

/** hour, minute, second, nanosecond from the TIME groups starting at match index i */
const timeOf = (m: RegExpExecArray, i: number): number[] => [num(m[i]), num(m[i + 1]), num(m[i + 2]), nanos(m[i + 3])];

/** The typed encoding of one temporal value from its Neo4j text; throws on text of any other shape. */
export function encodeTemporalText(text: string): Json {
  let m: RegExpExecArray | null;
  if (text.includes('T')) {
    if ((m = DATETIME_RE.exec(text))) {
      return { $datetime: [num(m[1]), num(m[2]), num(m[3]), ...timeOf(m, 4), offsetSeconds(m[8]), m[9] ?? null] };
    }
    if ((m = LOCAL_DATETIME_RE.exec(text))) return { $localdatetime: [num(m[1]), num(m[2]), num(m[3]), ...timeOf(m, 4)] };
  } else if (text.includes(':')) {
    if ((m = LOCAL_TIME_RE.exec(text))) return { $localtime: timeOf(m, 1) };
    if ((m = TIME_RE.exec(text))) return { $time: [...timeOf(m, 1), offsetSeconds(m[5])] };
  } else if ((m = DATE_RE.exec(text))) {
    return { $date: [num(m[1]), num(m[2]), num(m[3])] };
  }
  throw new Error(`unrecognised temporal text from the server: ${JSON.stringify(text)}`);
}
