/**
 * Masking rules (`masking:` in the config file): what `cairn restore --mask` overwrites in a restored copy that
 * leaves production (a developer's or an analyst's database), e.g. OAuth tokens. Rules are applied to the copy
 * after it was proven equal to the backup, never to a backup, so production recovery stays exact.
 *
 *   masking:
 *     app:                                         # a configured PostgreSQL target
 *       - column: public.oauth_tokens.access_token # schema.table.column (schema optional: public)
 *         with: hash                               # hash | null | { value: '***' }
 *     graph:                                       # a configured Neo4j target
 *       - property: User.apiKey                    # Label.property
 *         with: null
 */
import type { Target } from './types';
import { ConfigError } from './errors';
import type { Source } from './read';

/** hash: hex SHA-256 of the value's text (equal values stay equal, so joins still work); null; or a fixed value. */
export type MaskWith = 'hash' | 'null' | { value: string };

interface RuleBase {
  /** where the rule is in the config file, e.g. masking.app[0]: error messages and reports name it */
  at: string;
  with: MaskWith;
}
/** A PostgreSQL column. */
export interface ColumnRule extends RuleBase { schema: string; table: string; column: string }
/** A Neo4j node property, on every node with the label. */
export interface PropertyRule extends RuleBase { label: string; property: string }
export type MaskRule = ColumnRule | PropertyRule;

/** Target name -> its rules, in file order. */
export type MaskingConfig = Record<string, MaskRule[]>;

/** 'public.oauth_tokens.access_token', as a person reads it (and the report lists it). */
export const maskedField = (r: MaskRule): string => ('label' in r ? `${r.label}.${r.property}` : `${r.schema}.${r.table}.${r.column}`);
export const describeWith = (w: MaskWith): string => (typeof w === 'string' ? w : `value '${w.value}'`);

export function maskingConfig(raw: unknown, targets: Target[]): MaskingConfig {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('masking', 'must be a mapping of target names to lists of rules (see README, Masked copies)');
  }
  const out: MaskingConfig = {};
  for (const [name, rules] of Object.entries(raw as Source)) {
    const at = `masking.${name}`;
    const t = targets.find((x) => x.name === name);
    if (!t) throw new ConfigError(at, `names '${name}', which is not a configured target (${targets.map((x) => x.name).join(', ')})`);
    if (t.type === 'qdrant') {
      throw new ConfigError(at, `names qdrant target '${name}'; masking is implemented for PostgreSQL columns and Neo4j properties`);
    }
    const key = t.type === 'postgres' ? 'column' : 'property';
    const example = t.type === 'postgres' ? '{ column: public.oauth_tokens.access_token, with: hash }' : '{ property: User.apiKey, with: hash }';
    if (!Array.isArray(rules) || rules.length === 0) throw new ConfigError(at, `must be a non-empty list of rules like ${example}`);
    const seen = new Set<string>();
    out[name] = rules.map((rule, i) => {
      const r = ruleOf(rule, `${at}[${i}]`, key, example);
      const field = maskedField(r);
      if (seen.has(field)) throw new ConfigError(`${at}[${i}].${key}`, `masks ${field} a second time; one rule per ${key}`);
      seen.add(field);
      return r;
    });
  }
  return out;
}

function ruleOf(raw: unknown, at: string, key: 'column' | 'property', example: string): MaskRule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(at, `must be a mapping like ${example}`);
  const e = raw as Source;
  const stray = Object.keys(e).find((k) => ![key, 'with'].includes(k));
  if (stray) throw new ConfigError(`${at}.${stray}`, `is not a setting of a masking rule for this target (settings: ${key}, with)`);
  return key === 'column' ? columnRule(e, at) : propertyRule(e, at);
}

function propertyRule(e: Source, at: string): PropertyRule {
  const spelled = typeof e.property === 'string' ? e.property.trim() : '';
  const dot = spelled.lastIndexOf('.');
  if (dot <= 0 || dot === spelled.length - 1) throw new ConfigError(`${at}.property`, `must be Label.property, got '${String(e.property ?? '')}'`);
  return { at, label: spelled.slice(0, dot), property: spelled.slice(dot + 1), with: maskWith(e.with, `${at}.with`) };
}

function columnRule(e: Source, at: string): ColumnRule {
  if (typeof e.column !== 'string' || !e.column.trim()) throw new ConfigError(`${at}.column`, 'is required: schema.table.column, or table.column in schema public');
  const parts = e.column.trim().split('.');
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => !p)) {
    throw new ConfigError(`${at}.column`, `must be schema.table.column or table.column, got '${e.column}'`);
  }
  const [schema, table, column] = parts.length === 3 ? parts as [string, string, string] : ['public', parts[0]!, parts[1]!];
  return { at, schema, table, column, with: maskWith(e.with, `${at}.with`) };
}

function maskWith(raw: unknown, at: string): MaskWith {
  // The file is read with the failsafe schema: `null` arrives as the string 'null', `~` too.
  if (raw === undefined) throw new ConfigError(at, "is required: hash, null, or { value: '***' }");
  if (raw === 'hash') return 'hash';
  if (raw === 'null' || raw === '~' || raw === null) return 'null';
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const keys = Object.keys(raw);
    const value = (raw as Source).value;
    if (keys.length === 1 && keys[0] === 'value' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return { value: String(value) };
  }
  throw new ConfigError(at, `must be hash, null, or { value: '***' }, got ${JSON.stringify(raw)}`);
}
