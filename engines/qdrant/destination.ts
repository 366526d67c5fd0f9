/**
 * Where a Qdrant restore or drill goes: which server, and the new name of every collection of the backup.
 * Pure (no I/O): what the server holds now is inspect()'s and restore()'s to find out.
 */
import { createHash } from 'node:crypto';
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type Destination, type DestinationRequest } from '../engine';
import { classify } from './artifacts';

const TEMPLATE = '{collection}';

/** Qdrant's own rules (checked against 1.19), plus its storage's: the name is a directory, 255 bytes at most. */
export function collectionNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'is longer than 255 bytes';
  const bad = [...name].find((ch) => '<>:"/\\|?*\0\u001f'.includes(ch));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}, which Qdrant forbids (< > : " / \\ | ? * and control characters NUL, 0x1F)`;
  if (name === '.' || name === '..') return 'is a relative directory name';
  return undefined;
}

export function destination(req: DestinationRequest<QdrantTarget>): Destination<QdrantTarget> {
  const { source, purpose } = req;
  const collections = classify(req.manifest.artifacts).snapshots.map((s) => s.meta.collection);
  const target: QdrantTarget = purpose === 'drill' && source.drill
    ? { ...source, url: source.drill.url, apiKey: source.drill.apiKey }
    : source;

  const rename = Object.fromEntries(collections.map((c) => [c, newName(c, collections.length, req)]));
  for (const [from, to] of Object.entries(rename)) {
    const problem = collectionNameProblem(to);
    if (problem) {
      throw new PermanentError(`${req.into === undefined ? `the ${purpose} name of collection "${from}"` : '`into`'} gives collection `
        + `name ${JSON.stringify(to)}, which ${problem}${req.into === undefined ? '; choose names with `into`' : ''}`, 'QdrantBadDestination');
    }
  }
  if (purpose === 'drill') refuseProduction(target, rename, collections, req);

  const host = serverOf(target.url).replace(/^[a-z]+:\/\//, '');
  const names = Object.values(rename).sort();
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, +${names.length - 3} more` : '');
  const joined = names.join(',');
  const key = `qdrant/${host}/${joined.length <= 200 ? joined : createHash('sha256').update(joined).digest('hex')}`;
  return { target, label: `qdrant ${host} [${shown}]`, key, rename, created: req.into === undefined };
}

function newName(collection: string, count: number, req: DestinationRequest<QdrantTarget>): string {
  if (req.into === undefined) return `${collection}_${req.purpose === 'drill' ? 'drill' : 'restore'}_${req.stamp}`;
  if (req.into.includes(TEMPLATE)) return req.into.split(TEMPLATE).join(collection);
  if (count > 1) {
    throw new PermanentError(`\`into\` ${JSON.stringify(req.into)} names one collection, but the backup holds ${count}; `
      + `put ${TEMPLATE} in it (e.g. "${TEMPLATE}_restored") to name each`, 'QdrantBadDestination');
  }
  return req.into;
}

/** A drill must never write into production: the same server (as any configured Qdrant target) and a name production has. */
function refuseProduction(target: QdrantTarget, rename: Record<string, string>, collections: string[], req: DestinationRequest<QdrantTarget>): void {
  const server = serverOf(target.url);
  const production = req.targets.filter((t) => t.type === 'qdrant' && serverOf(t.url) === server).map((t) => t.name);
  if (production.length === 0) return;
  const clash = Object.values(rename).filter((to) => collections.includes(to));
  if (clash.length) {
    throw new PermanentError(`a drill may not restore into production collection(s) ${clash.join(', ')} on ${server} `
      + `(the server of target ${production.join(', ')}): choose another \`into\`, or configure a drill server for target ${req.source.name}`,
    'QdrantDrillIntoProduction');
  }
}

/** A server's identity for comparing URLs: scheme, host and port, loopback spellings made one. */
export function serverOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/+$/, '');
  }
  const host = ['localhost', '[::1]', '127.0.0.1'].includes(u.hostname) ? '127.0.0.1' : u.hostname;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.protocol}//${host}:${port}${u.pathname.replace(/\/+$/, '')}`;
}
