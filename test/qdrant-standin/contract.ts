/**
 * The spec as a contract: finds the operation a request is for, and checks its parameters, its JSON body
 * and the stand-in's responses against the operation's schemas.
 */
import { describeErrors, SchemaSet } from './schema-set';
import type { OpenApiDocument } from './spec-file';

interface Parameter { name: string; in: string; required?: boolean; schema: unknown }
interface MediaTypes { [contentType: string]: { schema?: unknown } }
interface OperationObject {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  spec: OperationObject;
}

export interface Match { op: Operation; pathParams: Record<string, string> }

export type Check<T> = { ok: true; value: T } | { ok: false; problem: string };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export class Contract {
  readonly schemas: SchemaSet;
  private readonly routes: { op: Operation; segments: string[] }[] = [];

  constructor(readonly doc: OpenApiDocument) {
    this.schemas = new SchemaSet(doc);
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const spec = item[method] as OperationObject | undefined;
        if (spec) this.routes.push({ op: { method: method.toUpperCase(), template, operationId: spec.operationId, spec }, segments: template.split('/').slice(1) });
      }
    }
    // Literal segments beat {params} at the first position they differ: /collections/aliases is not a collection.
    this.routes.sort((a, b) => specificity(b.segments) - specificity(a.segments));
  }

  operation(operationId: string): Operation {
    const found = this.routes.find((r) => r.op.operationId === operationId);
    if (!found) throw new Error(`the spec has no operation "${operationId}"`);
    return found.op;
  }

  /** The operation for a request; otherwise whether the path exists for other methods (for the 404 message). */
  match(method: string, pathname: string): Match | { pathKnown: boolean } {
    const parts = pathname.split('/').slice(1);
    let pathKnown = false;
    for (const { op, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      pathKnown = true;
      if (op.method === method) return { op, pathParams: params };
    }
    return { pathKnown };
  }

  /**
   * Query strings carry text; each value is read as the type its schema declares (as serde would),
   * then validated. Unknown query parameters are refused: Qdrant ignores them, which would hide a
   * misspelt `priority` or `wait` in Cairn, so the stand-in is stricter here on purpose.
   */
  checkParams(op: Operation, pathParams: Record<string, string>, query: URLSearchParams): Check<Record<string, unknown>> {
    const declared = op.spec.parameters ?? [];
    const values: Record<string, unknown> = {};
    for (const name of new Set(query.keys())) {
      if (!declared.some((p) => p.in === 'query' && p.name === name)) {
        return { ok: false, problem: `unknown query parameter "${name}" for ${op.method} ${op.template}` };
      }
      if (query.getAll(name).length > 1) return { ok: false, problem: `query parameter "${name}" given more than once` };
    }
    for (const p of declared) {
      if (p.in !== 'query' && p.in !== 'path') continue;
      const raw = p.in === 'path' ? pathParams[p.name] : query.get(p.name);
      if (raw === undefined || raw === null) {
        if (p.required) return { ok: false, problem: `missing required ${p.in} parameter "${p.name}"` };
        continue;
      }
      const value = this.fromText(raw, p.schema);
      const validate = this.schemas.validator(p.schema, `${op.operationId}/parameters/${p.name}`);
      if (!validate(value)) return { ok: false, problem: `${p.in} parameter "${p.name}"=${JSON.stringify(raw)}: ${describeErrors(validate.errors)}` };
      values[p.name] = value;
    }
    return { ok: true, value: values };
  }

  /** The schema of the request body for a content type, when the operation declares one. */
  requestSchema(op: Operation, contentType: string): unknown | undefined {
    return op.spec.requestBody?.content[contentType]?.schema;
  }

  checkBody(op: Operation, contentType: string, body: unknown): Check<unknown> {
    const schema = this.requestSchema(op, contentType);
    if (schema === undefined) return { ok: false, problem: `${op.method} ${op.template} takes no ${contentType} body` };
    const validate = this.schemas.validator(schema, `${op.operationId}/requestBody/${contentType}`);
    return validate(body) ? { ok: true, value: body } : { ok: false, problem: describeErrors(validate.errors) };
  }

  /** Problems with a response the stand-in is about to send; empty when it matches the spec. */
  checkResponse(op: Operation, status: number, contentType: string, body?: unknown): string[] {
    const key = String(status) in op.spec.responses ? String(status) : `${String(status)[0]}XX` in op.spec.responses ? `${String(status)[0]}XX` : 'default';
    const response = op.spec.responses[key];
    if (!response) return [`status ${status} is not documented for ${op.method} ${op.template}`];
    const media = response.content?.[contentType];
    if (!media) {
      const allowed = Object.keys(response.content ?? {}).join(', ') || 'no body';
      return [`content type ${contentType} is not documented for ${status} (spec: ${allowed})`];
    }
    if (contentType !== 'application/json' || media.schema === undefined) return [];
    const validate = this.schemas.validator(media.schema, `${op.operationId}/responses/${key}`);
    return validate(body) ? [] : [describeErrors(validate.errors, 20)];
  }

  private fromText(raw: string, schema: unknown): unknown {
    const type = this.schemas.resolve(schema).type;
    if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)) return Number(raw);
    return raw;
  }
}

function specificity(segments: string[]): number {
  // Earlier literal segments weigh more, so the first difference decides.
  return segments.reduce((acc, s, i) => acc + (s.startsWith('{') ? 0 : 2 ** (20 - i)), 0);
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith('{')) {
      if (parts[i] === '') return undefined;
      try {
        params[t.slice(1, -1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (t !== parts[i]) return undefined;
  }
  return params;
}
