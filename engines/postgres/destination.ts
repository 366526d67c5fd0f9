/**
 * Where a PostgreSQL restore goes: a database on the source's server (or, for drills, on the target's drill
 * server when one is configured). Pure: no I/O, so every activity rebuilds the same destination from the request.
 */
import { createHash } from 'node:crypto';
import type { PostgresTarget, Target } from '../../config/types';
import { PermanentError, type Destination, type DestinationRequest } from '../engine';

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes; a truncated name would be another database. */
export const MAX_NAME_BYTES = 63;

/** A database name made of `base` and `suffix`, shortened deterministically (with a hash of `base`) to fit 63 bytes. */
export function fitName(base: string, suffix: string): string {
  const whole = `${base}${suffix}`;
  if (Buffer.byteLength(whole) <= MAX_NAME_BYTES) return whole;
  const tag = `_${createHash('sha256').update(base).digest('hex').slice(0, 8)}`;
  let kept = '';
  for (const ch of base) {
    if (Buffer.byteLength(kept + ch + tag + suffix) > MAX_NAME_BYTES) break;
    kept += ch;
  }
  return `${kept}${tag}${suffix}`;
}

function checkInto(into: string): void {
  if (into === '') throw new PermanentError('into is empty: name the database to restore into, or leave it out for a new one');
  if (into.includes('\0')) throw new PermanentError('into contains a NUL character, which no PostgreSQL database name can hold');
  const bytes = Buffer.byteLength(into);
  if (bytes > MAX_NAME_BYTES) {
    throw new PermanentError(`into '${into}' is ${bytes} bytes long; PostgreSQL database names hold at most ${MAX_NAME_BYTES}`);
  }
}

/** Loopback spellings are one server: a drill into 'localhost' must not slip past a production target at '127.0.0.1'. */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (['localhost', '127.0.0.1', '::1', '[::1]'].includes(h.toLowerCase()) ? 'loopback' : h.toLowerCase());
  return norm(a) === norm(b);
}

export function destinationPostgres(req: DestinationRequest<PostgresTarget>): Destination<PostgresTarget> {
  const { source, into, stamp, purpose } = req;
  if (into !== undefined) checkInto(into);
  const server = purpose === 'drill' && source.drill ? source.drill : source;
  const database = into ?? fitName(source.database, `_${purpose}_${stamp}`);
  const target: PostgresTarget = {
    type: 'postgres', name: source.name, host: server.host, port: server.port, user: server.user, password: server.password, database,
  };
  if (purpose === 'drill') {
    const production = productionAt(target, req.targets);
    if (production) {
      throw new PermanentError(`a drill may not restore into ${target.host}:${target.port}/${database}: that is the database of configured target '${production}'`);
    }
  }
  const where = `${target.host}:${target.port}/${database}`;
  return { target, label: `postgres ${where}`, key: `postgres/${where}`, rename: {}, created: into === undefined };
}

/** The configured target whose database `at` is (same server, same database), if any: production's own data. */
export function productionAt(at: Pick<PostgresTarget, 'host' | 'port' | 'database'>, targets: Target[]): string | undefined {
  return targets.find((t) => t.type === 'postgres' && sameHost(t.host, at.host) && t.port === at.port && t.database === at.database)?.name;
}
