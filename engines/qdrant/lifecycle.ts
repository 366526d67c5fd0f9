/**
 * A restored destination's life after restore(): what it holds (inspect), whether it answers (smoke), the
 * values drill checks ask for (query), and its removal (drop), always by the names destination() chose.
 */
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type CheckQuery, type Destination, type HealthCheck } from '../engine';
import { QdrantApi, seg, type PointRecord } from './http';

const GREEN_WAIT_MS = 30_000;
const names = (dest: Destination<QdrantTarget>) => Object.values(dest.rename);

export async function inspect(dest: Destination<QdrantTarget>): Promise<{ empty: boolean; detail: string }> {
  const api = new QdrantApi(dest.target);
  const present = new Set(await api.collections());
  const aliases = new Map((await api.aliases()).map((a) => [a.alias_name, a.collection_name]));
  const taken: string[] = [];
  for (const name of names(dest)) {
    if (present.has(name)) taken.push(`${name} (${await api.exactCount(name)} points)`);
    else if (aliases.has(name)) taken.push(`${name} (an alias of ${aliases.get(name)})`);
  }
  if (taken.length === 0) return { empty: true, detail: `none of the collections ${names(dest).join(', ') || '(none)'} exist on ${dest.label}` };
  return { empty: false, detail: `already on ${dest.label}: ${taken.join(', ')}` };
}

/** Deletes the collections a restore created under new names; deleting one already gone is no error. */
export async function drop(dest: Destination<QdrantTarget>): Promise<void> {
  if (!dest.created) {
    throw new PermanentError(`refusing to drop ${dest.label}: its collections were named by the operator, not created by Cairn `
      + 'for this restore; delete them by hand if they must go', 'QdrantNotCreated');
  }
  const api = new QdrantApi(dest.target);
  for (const name of names(dest)) await api.call('DELETE', `/collections/${seg(name)}`);
}

/** Each restored collection is green (waiting out a short optimisation) and one of its points can be read. */
export async function smoke(dest: Destination<QdrantTarget>): Promise<HealthCheck[]> {
  const api = new QdrantApi(dest.target);
  const checks: HealthCheck[] = [];
  for (const name of names(dest)) {
    let status = 'absent';
    try {
      status = (await api.collectionInfo(name)).status;
      for (const until = Date.now() + GREEN_WAIT_MS; status !== 'green' && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = (await api.collectionInfo(name)).status;
      }
    } catch (err) {
      checks.push({ check: `collection ${name} status`, ok: false, detail: (err as Error).message, fix: 'restore it again' });
      continue;
    }
    checks.push({
      check: `collection ${name} status`, ok: status === 'green', detail: `status ${status}`,
      ...(status === 'green' ? {} : { fix: 'see the Qdrant server log: the collection is still optimising or failed to load' }),
    });
    checks.push(await readable(api, name));
  }
  return checks;
}

async function readable(api: QdrantApi, name: string): Promise<HealthCheck> {
  const check = `collection ${name} readable`;
  try {
    const page = await api.call<{ points: PointRecord[] }>('POST', `/collections/${seg(name)}/points/scroll`, { limit: 1, with_payload: true, with_vector: true });
    const [point] = page.points;
    if (point) return { check, ok: true, detail: `point ${JSON.stringify(point.id)} read with its vectors and payload` };
    const count = await api.exactCount(name);
    return count === 0
      ? { check, ok: true, detail: 'the collection is empty, as backed up: nothing to read' }
      : { check, ok: false, detail: `scroll returned no point although the collection counts ${count}`, fix: 'see the Qdrant server log' };
  } catch (err) {
    return { check, ok: false, detail: (err as Error).message, fix: 'see the Qdrant server log' };
  }
}

/** A drill check's value: the exact point count of a backed-up collection, under its restored name. */
export async function query(dest: Destination<QdrantTarget>, check: CheckQuery): Promise<string> {
  if (check.query !== undefined) {
    throw new PermanentError('a Qdrant drill check takes `collection` (whose exact point count is its value), not `query`', 'QdrantBadCheck');
  }
  if (!check.collection) throw new PermanentError('a Qdrant drill check needs `collection`: the name of a collection in the backup', 'QdrantBadCheck');
  const name = dest.rename[check.collection];
  if (name === undefined) {
    throw new PermanentError(`drill check collection "${check.collection}" is not in the backup (it holds ${Object.keys(dest.rename).join(', ') || 'no collections'})`, 'QdrantBadCheck');
  }
  return String(await new QdrantApi(dest.target).exactCount(name));
}
