/**
 * Checks a workflow's input at its start, deterministically: whatever the Temporal CLI or Web UI sends must be
 * understood, or the workflow fails at once (non-retryable) naming the field and what was expected.
 */
import { ApplicationFailure } from '@temporalio/workflow';

export type FieldRule =
  | { kind: 'string'; pattern?: RegExp; patternText?: string; maxLength?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max: number };

export function checkInput<T>(workflow: string, input: unknown, rules: Record<string, FieldRule>, required: string[] = []): T {
  const bad = (message: string) => ApplicationFailure.nonRetryable(`${workflow} input: ${message}`, 'InvalidWorkflowInput');
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw bad(`must be a JSON object, got ${JSON.stringify(input)?.slice(0, 60)}`);
  const obj = input as Record<string, unknown>;
  if (obj.version !== undefined && obj.version !== 1) throw bad(`version ${JSON.stringify(obj.version)} is not one this worker understands (it knows version 1)`);
  for (const key of Object.keys(obj)) {
    if (key !== 'version' && !(key in rules)) throw bad(`unknown field '${key}' (fields: version, ${Object.keys(rules).join(', ')})`);
  }
  for (const key of required) if (obj[key] === undefined) throw bad(`field '${key}' is required`);
  for (const [key, rule] of Object.entries(rules)) {
    const v = obj[key];
    if (v === undefined) continue;
    const got = JSON.stringify(v)?.slice(0, 60);
    switch (rule.kind) {
      case 'string':
        if (typeof v !== 'string' || v === '') throw bad(`field '${key}' must be a non-empty string, got ${got}`);
        if (rule.maxLength && v.length > rule.maxLength) throw bad(`field '${key}' is longer than ${rule.maxLength} characters`);
        if (rule.pattern && !rule.pattern.test(v)) throw bad(`field '${key}' must be ${rule.patternText ?? `like ${rule.pattern}`}, got ${got}`);
        break;
      case 'enum':
        if (typeof v !== 'string' || !rule.values.includes(v)) throw bad(`field '${key}' must be one of ${rule.values.join(', ')}, got ${got}`);
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw bad(`field '${key}' must be true or false, got ${got}`);
        break;
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < rule.min || v > rule.max) throw bad(`field '${key}' must be a whole number from ${rule.min} to ${rule.max}, got ${got}`);
        break;
    }
  }
  return obj as T;
}
