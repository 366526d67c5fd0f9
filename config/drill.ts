/**
 * The monthly disaster-recovery drill: its schedule, its recovery-time objective, and the user's own checks,
 * e.g. "rows in documents = points in collection docs". Checks live in the config file (`drill_checks:`).
 */
import type { Target } from './types';
import { ConfigError } from './errors';
import { bool, int, str, type Source } from './read';

/** A value read from one target's restored copy: a query's single value, or a Qdrant collection's point count. */
export interface CheckSource { target: string; query?: string; collection?: string }

export type DrillCheck =
  | ({ name: string; expect: string } & CheckSource)
  | { name: string; equal: CheckSource[] };

export interface DrillConfig {
  schedule: string;
  scheduleId: string;
  rtoObjectiveMs: number;
  checks: DrillCheck[];
  /** DRILL_MASK: apply each target's masking rules to its drill copy after the proof (proves the rules still fit) */
  mask: boolean;
}

export function drillConfig(src: Source, file: Source, targets: Target[], cron: (src: Source, key: string, fallback: string) => string): DrillConfig {
  return {
    schedule: cron(src, 'DRILL_SCHEDULE', '0 3 1 * *'),
    scheduleId: str(src, 'DRILL_SCHEDULE_ID', 'cairn-dr-drill'),
    rtoObjectiveMs: int(src, 'DRILL_RTO_OBJECTIVE_MINUTES', 60, 1, 7 * 24 * 60) * 60_000,
    checks: drillChecks(file.drill_checks, targets),
    mask: bool(src, 'DRILL_MASK', false),
  };
}

function drillChecks(raw: unknown, targets: Target[]): DrillCheck[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError('drill_checks', 'must be a list of checks');
  const names = new Set<string>();
  return raw.map((entry, i) => {
    const at = `drill_checks[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(at, 'must be a mapping');
    const e = entry as Source;
    const name = str({ [`${at}.name`]: e.name }, `${at}.name`);
    if (names.has(name)) throw new ConfigError(`${at}.name`, `'${name}' names two checks; check names must be unique`);
    names.add(name);
    if (e.equal !== undefined) {
      const stray = Object.keys(e).find((k) => !['name', 'equal'].includes(k));
      if (stray) throw new ConfigError(`${at}.${stray}`, 'is not a setting of an equality check (settings: name, equal)');
      if (!Array.isArray(e.equal) || e.equal.length < 2) throw new ConfigError(`${at}.equal`, 'must list at least two values to compare');
      return { name, equal: e.equal.map((s, j) => checkSource(s, `${at}.equal[${j}]`, targets, [])) };
    }
    return { name, ...checkSource(e, at, targets, ['name', 'expect']), expect: str({ [`${at}.expect`]: e.expect }, `${at}.expect`) };
  });
}

function checkSource(raw: unknown, at: string, targets: Target[], extraKeys: string[]): CheckSource {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(at, 'must be a mapping with target and query (or collection)');
  const e = raw as Source;
  const stray = Object.keys(e).find((k) => ![...extraKeys, 'target', 'query', 'collection'].includes(k));
  if (stray) throw new ConfigError(`${at}.${stray}`, `is not a check setting (settings: ${[...extraKeys, 'target', 'query', 'collection'].join(', ')})`);
  const targetName = str({ [`${at}.target`]: e.target }, `${at}.target`);
  const t = targets.find((x) => x.name === targetName);
  if (!t) throw new ConfigError(`${at}.target`, `names '${targetName}', which is not a configured target (${targets.map((x) => x.name).join(', ')})`);
  if (t.type === 'qdrant') {
    if (e.query !== undefined) throw new ConfigError(`${at}.query`, `cannot run on qdrant target '${targetName}': use collection: <name> (its exact point count)`);
    return { target: targetName, collection: str({ [`${at}.collection`]: e.collection }, `${at}.collection`) };
  }
  if (e.collection !== undefined) throw new ConfigError(`${at}.collection`, `only applies to a qdrant target; '${targetName}' is ${t.type}: use query`);
  return { target: targetName, query: str({ [`${at}.query`]: e.query }, `${at}.query`) };
}
