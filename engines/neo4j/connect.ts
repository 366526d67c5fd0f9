/** Opening a driver for a target, and turning Neo4j errors into messages that name the problem. */
import neo4j, { Driver, Neo4jError } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import { PermanentError } from '../engine';

export function openDriver(target: Neo4jTarget): Driver {
  return neo4j.driver(target.uri, neo4j.auth.basic(target.user, target.password), {
    userAgent: 'cairn',
    // Cairn runs a handful of sequential queries per activity; a big pool only holds sockets.
    maxConnectionPoolSize: 4,
    connectionTimeout: 15_000,
  });
}

/** Runs fn with a fresh driver, always closed after; Neo4j errors come out as described errors. */
export async function withDriver<R>(target: Neo4jTarget, fn: (driver: Driver) => Promise<R>): Promise<R> {
  const driver = openDriver(target);
  try {
    return await fn(driver);
  } catch (err) {
    throw describeError(err, target);
  } finally {
    await driver.close();
  }
}

/** The URI without any user:password@ part, safe for messages. */
export function safeUri(uri: string): string {
  try {
    const u = new URL(uri);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URI)';
  }
}

export const isAuthError = (err: unknown): boolean =>
  err instanceof Neo4jError && err.code === 'Neo.ClientError.Security.Unauthorized';

export const isDatabaseNotFound = (err: unknown): boolean =>
  err instanceof Neo4jError && err.code === 'Neo.ClientError.Database.DatabaseNotFound';

/**
 * Errors that retrying cannot fix become PermanentError; everything else keeps its own message
 * prefixed with the target so logs say which server failed. Passwords never appear in either.
 */
export function describeError(err: unknown, target: Neo4jTarget): Error {
  if (err instanceof PermanentError) return err;
  const where = `neo4j target "${target.name}" (${safeUri(target.uri)})`;
  if (isAuthError(err)) {
    return new PermanentError(`authentication failed for user "${target.user}" on ${where}`, 'Neo4jAuthFailed');
  }
  if (isDatabaseNotFound(err)) {
    return new PermanentError(`database "${target.database}" does not exist on ${where}`, 'Neo4jDatabaseNotFound');
  }
  if (err instanceof Neo4jError && err.code === 'Neo.ClientError.Security.Forbidden') {
    return new PermanentError(`user "${target.user}" lacks a permission on ${where}: ${err.message}`, 'Neo4jForbidden');
  }
  if (err instanceof Error) return new Error(`${where}: ${err.message}`, { cause: err });
  return new Error(`${where}: ${String(err)}`);
}

/** "5.26.18" and "community" from dbms.components(). */
export async function serverVersion(driver: Driver, database: string): Promise<{ version: string; edition: string }> {
  const res = await driver.executeQuery(
    "CALL dbms.components() YIELD name, versions, edition WHERE name = 'Neo4j Kernel' RETURN versions[0] AS v, edition",
    {},
    { database, routing: neo4j.routing.READ },
  );
  const rec = res.records[0];
  if (!rec) throw new Error('dbms.components() did not report a Neo4j Kernel');
  return { version: String(rec.get('v')), edition: String(rec.get('edition')) };
}
