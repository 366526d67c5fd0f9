/** Targets declared by environment variables: Cairn's POSTGRES_*, NEO4J_*, QDRANT_*, and *_DATABASE_URL. */
import type { PostgresTarget, Target, TargetType } from './types';
import { ConfigError } from './errors';
import { compressionSetting } from './compression';
import { bool, port, secret, stackAddress, str, url } from './read';
import type { Settings } from './settings';
import { chosenTargetName, targetNameForDatabase } from './names';
import { databaseUrlTargets } from './vocabulary/clara';

export const TARGET_TYPES: TargetType[] = ['postgres', 'neo4j', 'qdrant'];
export const NEO4J_SCHEMES = ['bolt:', 'neo4j:', 'bolt+s:', 'neo4j+s:', 'bolt+ssc:', 'neo4j+ssc:'];

/**
 * The kinds of target to declare: CAIRN_TARGET_TYPES, else what the deployment's own variables back up
 * (`implied`), else all three (the local stack).
 */
function targetTypes(s: Settings, implied: TargetType[] | undefined): TargetType[] {
  if (!s.has('CAIRN_TARGET_TYPES') && implied) return implied;
  const types = str(s.values, 'CAIRN_TARGET_TYPES', TARGET_TYPES.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of types) {
    if (!TARGET_TYPES.includes(t as TargetType)) {
      throw new ConfigError('CAIRN_TARGET_TYPES', `lists '${t}', which is not one of ${TARGET_TYPES.join(', ')}`);
    }
  }
  return types as TargetType[];
}

function postgresTargets(s: Settings, urlTargets: PostgresTarget[]): Target[] {
  const src = s.values;
  // Databases named by URL replace the POSTGRES_* target, unless a database is also named explicitly.
  if (urlTargets.length && !s.has('POSTGRES_DATABASES') && !s.has('POSTGRES_DB')) return urlTargets;
  const host = str(src, 'POSTGRES_HOST', '127.0.0.1');
  const pgPort = port(src, 'POSTGRES_PORT', 5432);
  const user = str(src, 'POSTGRES_USER', 'cairn');
  const password = secret(src, 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE', 'cairn');
  const key = s.has('POSTGRES_DATABASES') ? 'POSTGRES_DATABASES' : 'POSTGRES_DB';
  // POSTGRES_DB names one database, whatever characters it holds; POSTGRES_DATABASES is a comma list.
  const raw = str(src, key, 'cairn');
  const databases = (key === 'POSTGRES_DATABASES' ? raw.split(',') : [raw]).map((d) => d.trim()).filter(Boolean);
  // Content fingerprints for restore proofs cost a read of every row at backup time; they can be turned off.
  const fingerprint = bool(src, 'CAIRN_PG_FINGERPRINT', true) ? {} : { fingerprint: false };
  const compression = compressionSetting(src, 'CAIRN_PG_COMPRESSION');
  return [
    ...databases.map((database): Target => ({ type: 'postgres', name: targetNameForDatabase(database, s.from(key)), host, port: pgPort, user, password, database, ...fingerprint, ...compression })),
    ...urlTargets,
  ];
}

/** The targets the environment declares. */
export function targetsFromEnv(s: Settings, implied: TargetType[] | undefined): Target[] {
  const src = s.values;
  const types = targetTypes(s, implied);
  const byUrl = databaseUrlTargets(s);
  if (byUrl.length && !types.includes('postgres')) {
    throw new ConfigError(byUrl[0]!.from, 'declares a PostgreSQL target, but CAIRN_TARGET_TYPES leaves postgres out');
  }
  const targets: Target[] = [];
  if (types.includes('postgres')) targets.push(...postgresTargets(s, byUrl.map((u) => u.target)));
  if (types.includes('neo4j')) {
    const user = str(src, 'NEO4J_USER', 'neo4j');
    const password = secret(src, 'NEO4J_PASSWORD', 'NEO4J_PASSWORD_FILE', 'cairn-neo4j');
    targets.push({
      type: 'neo4j', name: chosenTargetName(str(src, 'NEO4J_NAME', 'neo4j'), 'NEO4J_NAME'),
      uri: url(src, 'NEO4J_URI', stackAddress(src, 'NEO4J_BOLT_PORT', 7687, (p) => `bolt://127.0.0.1:${p}`), NEO4J_SCHEMES),
      user, password,
      database: str(src, 'NEO4J_DATABASE', 'neo4j'),
      // Restores and drills need a second instance; the local stack's is the default, like every address here.
      drill: {
        uri: url(src, 'NEO4J_DRILL_URI', stackAddress(src, 'NEO4J_DRILL_BOLT_PORT', 7688, (p) => `bolt://127.0.0.1:${p}`), NEO4J_SCHEMES),
        user: str(src, 'NEO4J_DRILL_USER', user),
        password: secret(src, 'NEO4J_DRILL_PASSWORD', 'NEO4J_DRILL_PASSWORD_FILE', password),
        database: str(src, 'NEO4J_DRILL_DATABASE', 'neo4j'),
      },
    });
  }
  if (types.includes('qdrant')) {
    const apiKey = secret(src, 'QDRANT_API_KEY', 'QDRANT_API_KEY_FILE', '');
    targets.push({
      type: 'qdrant', name: chosenTargetName(str(src, 'QDRANT_NAME', 'qdrant'), 'QDRANT_NAME'),
      url: url(src, 'QDRANT_URL', stackAddress(src, 'QDRANT_PORT', 6333, (p) => `http://127.0.0.1:${p}`), ['http:', 'https:']),
      ...(apiKey ? { apiKey } : {}),
    });
  }
  return targets;
}
