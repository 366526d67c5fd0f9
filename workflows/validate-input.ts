/**
 * Workflow inputs, checked before a workflow does anything. Inputs arrive from the Temporal CLI, the Web UI,
 * schedules and scripts, unchecked by any type system; a malformed one must fail the run at once, naming the
 * field and what it expects, instead of reaching an activity that retries a TypeError for minutes.
 * Pure and deterministic, so workflows can call it.
 *
 *   const input = validateInput<BackupCycleInput>('backupCycle', raw, {
 *     targets: { type: 'stringList', pattern: TARGET_NAME, hint: 'target names' },
 *   });
 *
 * Every input may carry `version`: absent means 1, and any other version is refused (a newer client talking to
 * an older worker must not have fields it relies on ignored). Unknown fields are refused for the same reason.
 */
import { ApplicationFailure } from '@temporalio/workflow';

export type FieldRule =
  | { type: 'string'; pattern?: RegExp; hint?: string }
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'stringList'; pattern?: RegExp; hint?: string; maxItems?: number };

/** Field name -> rule. Every field is optional; a workflow gives absent ones their defaults. */
export type InputSchema = Record<string, FieldRule>;

/** The failure type of every refused input: non-retryable, since the same input fails the same way again. */
export const INVALID_INPUT = 'InvalidWorkflowInput';
export const INPUT_VERSION = 1;
/** A target's name, as config allows it (the same rule as storage/layout.ts TARGET_NAME, which workflows may not import). */
export const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function validateInput<T extends object>(workflow: string, input: unknown, schema: InputSchema): T {
  const refuse = (problem: string): never => {
    throw ApplicationFailure.nonRetryable(`${workflow} input: ${problem}`, INVALID_INPUT);
  };
  // No input at all (the Web UI and `--input null` send none) is the same as {}.
  if (input === undefined || input === null) return {} as T;
  if (typeof input !== 'object' || Array.isArray(input)) {
    refuse(`must be a JSON object such as {}${Object.keys(schema).length ? ` with optional fields ${Object.keys(schema).join(', ')}` : ''}, got ${shown(input)}`);
  }
  const fields = input as Record<string, unknown>;
  const known = ['version', ...Object.keys(schema)];
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length) refuse(`unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')}; known fields: ${known.join(', ')}`);
  if (fields.version !== undefined && fields.version !== INPUT_VERSION) {
    refuse(`field 'version' must be ${INPUT_VERSION} (absent means ${INPUT_VERSION}; this worker knows no other input version), got ${shown(fields.version)}`);
  }
  for (const [name, rule] of Object.entries(schema)) {
    if (fields[name] === undefined) continue;
    const problem = check(rule, fields[name]);
    if (problem) refuse(`field '${name}' must be ${problem}`);
  }
  return fields as T;
}

/** What is wrong with `value` under `rule`, as "must be ..." text, or undefined when it is fine. */
function check(rule: FieldRule, value: unknown): string | undefined {
  switch (rule.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `true or false, got ${shown(value)}`;
    case 'integer':
      return Number.isInteger(value) && (value as number) >= rule.min && (value as number) <= rule.max
        ? undefined : `a whole number from ${rule.min} to ${rule.max}, got ${shown(value)}`;
    case 'enum':
      return rule.values.includes(value as string) ? undefined : `one of ${rule.values.map((v) => `"${v}"`).join(', ')}, got ${shown(value)}`;
    case 'string': {
      const what = `a string${rule.hint ? ` (${rule.hint})` : ''}${rule.pattern ? ` matching ${rule.pattern}` : ''}`;
      return typeof value === 'string' && (!rule.pattern || rule.pattern.test(value)) ? undefined : `${what}, got ${shown(value)}`;
    }
    case 'stringList': {
      const what = `a list of strings${rule.hint ? ` (${rule.hint})` : ''}${rule.pattern ? ` matching ${rule.pattern}` : ''}`;
      if (!Array.isArray(value)) return `${what}, got ${shown(value)}`;
      if (rule.maxItems !== undefined && value.length > rule.maxItems) return `${what} of at most ${rule.maxItems} items, got ${value.length}`;
      const bad = value.findIndex((v) => typeof v !== 'string' || (rule.pattern !== undefined && !rule.pattern.test(v)));
      return bad < 0 ? undefined : `${what}; item ${bad} is ${shown(value[bad])}`;
    }
  }
}

/** A value's JSON type and a short rendering of it, e.g. `a string ("cairn")`. */
function shown(value: unknown): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object'
    : typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value;
  if (value === null) return kind;
  const text = JSON.stringify(value) ?? String(value);
  return `${kind} (${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}
