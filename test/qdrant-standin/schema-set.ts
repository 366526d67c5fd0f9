/**
 * Compiles schemas from Qdrant's OpenAPI 3.0 document with ajv.
 * OpenAPI 3.0 is not JSON Schema, so the document is translated first (see normalize()), and every
 * keyword it uses must be either checked by ajv or a known annotation: nothing is skipped silently.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from './spec-file';

const DOC_ID = 'qdrant-openapi';
const COMPONENT_REF = '#/components/schemas/';

const CHECKED = new Set([
  'type', 'nullable', 'format', 'enum', 'required', 'properties', 'additionalProperties', 'items',
  'anyOf', 'oneOf', 'allOf', 'not', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties',
  'maxProperties', 'multipleOf', '$ref',
]);
const ANNOTATIONS = new Set(['description', 'example', 'deprecated', 'default', 'title', 'readOnly', 'writeOnly']);

type Schema = Record<string, unknown>;

/** Where each normalized schema object came from in the document, so errors can name the spec's own schema. */
const origins = new WeakMap<object, string>();

/** Integer formats Qdrant's schemas use (generated from Rust types); JSON numbers beyond 2^53 are already imprecise. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  uint: [0, 2 ** 64 - 1],
  uint64: [0, 2 ** 64 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint8: [0, 255],
};

export class SchemaSet {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly defs: Record<string, Schema> = {};

  constructor(doc: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, verbose: true, inlineRefs: false, strict: true, allowUnionTypes: true });
    this.ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
    addFormats(this.ajv);
    for (const [name, [min, max]] of Object.entries(INTEGER_RANGES)) {
      this.ajv.addFormat(name, { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
    }
    // chrono's NaiveDateTime: an ISO date-time without offset, e.g. 2022-08-04T10:49:10 (snapshot creation_time).
    this.ajv.addFormat('partial-date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/);
    for (const [name, schema] of Object.entries(doc.components.schemas)) this.defs[name] = normalize(schema, `components/schemas/${name}`) as Schema;
    this.ajv.addSchema({ $id: DOC_ID, $defs: this.defs });
  }

  /** A validator for a schema found in the document (`where` names it in errors and keys the cache). */
  validator(schema: unknown, where: string): ValidateFunction {
    let fn = this.cache.get(where);
    if (!fn) {
      fn = this.ajv.compile(normalize(schema, where) as Schema);
      this.cache.set(where, fn);
    }
    return fn;
  }

  /** Resolves a top-level $ref to its normalized target (used to learn a parameter's type). */
  resolve(schema: unknown): Schema {
    let s = normalize(schema, 'resolve') as Schema;
    while (typeof s.$ref === 'string') s = this.defs[s.$ref.slice(`${DOC_ID}#/$defs/`.length)];
    return s;
  }
}

/**
 * OpenAPI 3.0 to ajv's JSON Schema:
 * - `$ref: '#/components/schemas/X'` points into the document: rewritten to the $defs registered above.
 * - `{ "nullable": true }` on its own (263 times in Qdrant's spec, always as an `anyOf` branch next to a $ref)
 *   is meant as "or null"; read literally it would accept anything, and ajv rejects nullable without type.
 * - `nullable` next to `type` is ajv's own OpenAPI support and stays as is.
 */
export function normalize(schema: unknown, where: string): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    if (typeof schema === 'boolean') return schema;
    throw new Error(`schema at ${where} is not an object`);
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (!CHECKED.has(key) && !ANNOTATIONS.has(key)) {
      throw new Error(`schema at ${where} uses keyword "${key}", which the stand-in's validator does not check`);
    }
    out[key] = normalizeKeyword(key, value, `${where}/${key}`);
  }
  let result: Schema = out;
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    const rest = Object.keys(out).filter((k) => !ANNOTATIONS.has(k));
    result = rest.length === 0 ? { type: 'null' } : { anyOf: [out, { type: 'null' }] };
  }
  origins.set(result, where);
  return result;
}

function normalizeKeyword(key: string, value: unknown, where: string): unknown {
  switch (key) {
    case '$ref':
      if (typeof value !== 'string' || !value.startsWith(COMPONENT_REF)) throw new Error(`unsupported $ref ${String(value)} at ${where}`);
      return `${DOC_ID}#/$defs/${value.slice(COMPONENT_REF.length)}`;
    case 'properties':
      return Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, normalize(v, `${where}/${k}`)]));
    case 'items':
    case 'not':
      return normalize(value, where);
    case 'additionalProperties':
      return typeof value === 'boolean' ? value : normalize(value, where);
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
      return (value as unknown[]).map((v, i) => normalize(v, `${where}/${i}`));
    default:
      return value;
  }
}

/** One line per problem, naming the JSON location, the rule and the schema path it comes from. */
export function describeErrors(errors: ErrorObject[] | null | undefined, limit = 6): string {
  if (!errors?.length) return 'no details';
  const lines = errors.slice(0, limit).map((e) => {
    const extra =
      e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})`
      : e.keyword === 'enum' ? ` (${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
      : '';
    const origin = (e.parentSchema && origins.get(e.parentSchema)) ?? e.schemaPath;
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra} [${origin}]`;
  });
  if (errors.length > limit) lines.push(`... and ${errors.length - limit} more`);
  return lines.join('; ');
}
