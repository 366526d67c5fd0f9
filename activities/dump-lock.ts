/**
 * At most one dump of a source at a time, across every worker on every host: a session-level PostgreSQL
 * advisory lock on the catalog database, keyed by what is dumped (for PostgreSQL the server and database,
 * whatever the target is called), held on a connection of its own for the whole dump. A worker that dies
 * drops its connection and with it the lock. A dump that finds the lock taken does not run: it fails
 * retryably (TargetBusy), so Temporal retries it later and the wait shows in the history and describe().
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Client } from 'pg';
import type { MetadataConfig, Target } from '../config/types';

/** The lock's name: the source itself, so two names for one database still exclude each other. */
export function dumpLockName(t: Target): string {
  if (t.type === 'postgres') return `cairn-dump:postgres:${t.host}:${t.port}/${t.database}`;
  return `cairn-dump:${t.type}:${t.name}`;
}

/** Runs `work` holding the target's dump lock; throws a retryable TargetBusy when another dump holds it. */
export async function withDumpLock<T>(metadata: MetadataConfig, t: Target, work: () => Promise<T>): Promise<T> {
  const session = new Client({
    host: metadata.host, port: metadata.port, user: metadata.user, password: metadata.password, database: metadata.database,
    connectionTimeoutMillis: 10_000, application_name: 'cairn-dump-lock',
    // A worker that vanishes without closing its socket (a host lost) is noticed by keepalives.
    keepAlive: true,
  });
  // An error on the idle lock connection (the catalog restarting) must not crash the worker; the dump's own
  // outcome decides the attempt, and the lock is gone with the connection anyway.
  session.on('error', () => undefined);
  await session.connect();
  const name = dumpLockName(t);
  try {
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name]);
    if (!rows[0]?.locked) {
      throw ApplicationFailure.retryable(`${t.type}/${t.name} is being dumped by another worker; this dump waits for it to finish`, 'TargetBusy');
    }
    return await work();
  } finally {
    // Closing the session releases the lock (an explicit unlock would need the connection to be healthy).
    await session.end().catch(() => undefined);
  }
}
