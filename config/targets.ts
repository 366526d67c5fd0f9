/** Builds backup targets from a config file's `targets:` list (env-targets.ts builds them from variables). */
import { isAbsolute, resolve } from 'node:path';
import type { Target, TargetType } from './types';
import { ConfigError } from './errors';
import { bool, port, secret, str, url, type Source } from './read';
import { chosenTargetName } from './names';
import { compressionSetting } from './compression';
import { NEO4J_SCHEMES, TARGET_TYPES as TYPES } from './env-targets';

function targetName(src: Source, key: string): string {
  return chosenTargetName(str(src, key), key);
}

const ENTRY_KEYS: Record<TargetType, string[]> = {
  postgres: ['type', 'name', 'host', 'port', 'user', 'password', 'password_file', 'database', 'fingerprint', 'compression', 'drill', 'retention'],
  neo4j: ['type', 'name', 'uri', 'user', 'password', 'password_file', 'database', 'drill', 'retention'],
  qdrant: ['type', 'name', 'url', 'api_key', 'api_key_file', 'drill', 'retention'],
};
const DRILL_KEYS: Record<TargetType, string[]> = {
  postgres: ['host', 'port', 'user', 'password', 'password_file'],
  neo4j: ['uri', 'user', 'password', 'password_file', 'database'],
  qdrant: ['url', 'api_key', 'api_key_file'],
};

/** A target entry's `drill:` mapping: where drills restore to, checked as strictly as the target itself. */
function drillFromEntry(type: TargetType, src: Source, at: string, baseDir: string): Record<string, unknown> | undefined {
  const raw = src[`${at}drill`];
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${at}drill`, 'must be a mapping of connection settings');
  const d = `${at}drill.`;
  const entry = raw as Source;
  const stray = Object.keys(entry).find((k) => !DRILL_KEYS[type].includes(k));
  if (stray) throw new ConfigError(`${d}${stray}`, `is not a drill setting of a ${type} target (settings: ${DRILL_KEYS[type].join(', ')})`);
  const ds: Source = Object.fromEntries(Object.entries(entry).map(([k, v]) => [d + k, v]));
  for (const k of ['password_file', 'api_key_file']) {
    const f = ds[d + k];
    if (typeof f === 'string' && f && !isAbsolute(f)) ds[d + k] = resolve(baseDir, f);
  }
  switch (type) {
    case 'postgres':
      return { host: str(ds, `${d}host`), port: port(ds, `${d}port`, 5432), user: str(ds, `${d}user`), password: secret(ds, `${d}password`, `${d}password_file`) };
    case 'neo4j':
      return { uri: url(ds, `${d}uri`, undefined, NEO4J_SCHEMES), user: str(ds, `${d}user`, 'neo4j'), password: secret(ds, `${d}password`, `${d}password_file`), database: str(ds, `${d}database`, 'neo4j') };
    default: {
      const apiKey = secret(ds, `${d}api_key`, `${d}api_key_file`, '');
      return { url: url(ds, `${d}url`, undefined, ['http:', 'https:']), ...(apiKey ? { apiKey } : {}) };
    }
  }
}

/**
 * One target from a config-file entry; `at` prefixes keys in errors, e.g. "targets[1].". `baseDir` anchors
 * relative *_file paths to the config file's own folder.
 */
export function targetFromEntry(entry: Source, at: string, baseDir = '.'): Target {
  // Re-key the entry so every error names the full path of the offending setting.
  const src: Source = Object.fromEntries(Object.entries(entry).map(([k, v]) => [at + k, v]));
  const type = str(src, `${at}type`);
  const allowed = ENTRY_KEYS[type as TargetType];
  // A misspelt key would otherwise fall back silently to a default, and back up the wrong server.
  const stray = allowed ? Object.keys(entry).find((k) => !allowed.includes(k)) : undefined;
  if (stray) throw new ConfigError(`${at}${stray}`, `is not a setting of a ${type} target (settings: ${allowed!.join(', ')})`);
  for (const k of ['password_file', 'api_key_file']) {
    const f = src[at + k];
    if (typeof f === 'string' && f && !isAbsolute(f)) src[at + k] = resolve(baseDir, f);
  }
  const drill = allowed ? drillFromEntry(type as TargetType, src, at, baseDir) : undefined;
  const withDrill = drill ? { drill } : {};
  switch (type) {
    case 'postgres':
      return {
        ...withDrill as Pick<Target & { type: 'postgres' }, 'drill'>,
        type, name: targetName(src, `${at}name`),
        host: str(src, `${at}host`, '127.0.0.1'), port: port(src, `${at}port`, 5432),
        user: str(src, `${at}user`), password: secret(src, `${at}password`, `${at}password_file`),
        database: str(src, `${at}database`),
        ...(bool(src, `${at}fingerprint`, true) ? {} : { fingerprint: false }),
        ...compressionSetting(src, `${at}compression`),
      };
    case 'neo4j':
      return {
        ...withDrill as Pick<Target & { type: 'neo4j' }, 'drill'>,
        type, name: targetName(src, `${at}name`),
        uri: url(src, `${at}uri`, 'bolt://127.0.0.1:7687', NEO4J_SCHEMES),
        user: str(src, `${at}user`, 'neo4j'), password: secret(src, `${at}password`, `${at}password_file`),
        database: str(src, `${at}database`, 'neo4j'),
      };
    case 'qdrant': {
      const apiKey = secret(src, `${at}api_key`, `${at}api_key_file`, '');
      return {
        ...withDrill as Pick<Target & { type: 'qdrant' }, 'drill'>,
        type, name: targetName(src, `${at}name`),
        url: url(src, `${at}url`, 'http://127.0.0.1:6333', ['http:', 'https:']),
        ...(apiKey ? { apiKey } : {}),
      };
    }
    default:
      throw new ConfigError(`${at}type`, `must be one of ${TYPES.join(', ')}, got '${type}'`);
  }
}

/** Target names are how operators and workflow inputs name targets, so they must be unique. */
export function checkUniqueNames(targets: Target[], key: string): void {
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new ConfigError(key, `names the target '${t.name}' twice; target names must be unique`);
    seen.add(t.name);
  }
}
