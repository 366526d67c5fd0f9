/** Target names: how operators, workflow inputs, backup ids and object keys name a target. */
import { createHash } from 'node:crypto';
import { TARGET_NAME } from '../storage/layout';
import { ConfigError } from './errors';

export const TARGET_NAME_RULE = "lower-case letters, digits, '_' and '-' (at most 63)";

/** A name the operator chose (NEO4J_NAME, a file entry's name): used as given, or refused naming `key`. */
export function chosenTargetName(name: string, key: string): string {
  if (!TARGET_NAME.test(name)) throw new ConfigError(key, `must be ${TARGET_NAME_RULE}, got '${name}'`);
  return name;
}

/**
 * The target name for a PostgreSQL database, which may be any valid database name ('ai_platform',
 * 'Clara Main'). A name that is already a valid target name is kept; otherwise it is lower-cased and every
 * other character becomes '-', and a name with nothing left gets a short hash, so any database can be backed up.
 */
export function targetNameForDatabase(database: string, key: string): string {
  if (!database || Buffer.byteLength(database) > 63 || database.includes('\0')) {
    throw new ConfigError(key, `must be a PostgreSQL database name (1 to 63 bytes), got '${database}'`);
  }
  if (TARGET_NAME.test(database)) return database;
  const folded = database.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 63);
  return folded || `db-${createHash('sha256').update(database).digest('hex').slice(0, 8)}`;
}
