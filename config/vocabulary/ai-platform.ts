/**
 * The AI platform backup service's variables (seed 002): MINIO_ENDPOINT as host:port with MINIO_SECURE or
 * MINIO_USE_SSL for https, QDRANT_HOST/QDRANT_PORT, NEO4J_HOST/NEO4J_PORT. Its other variables (MINIO_*_KEY,
 * BACKUP_BUCKET, POSTGRES_*, BACKUP_SCHEDULE, BACKUP_RETENTION_DAYS) are Cairn's own.
 */
import { ConfigError } from '../errors';
import type { Settings } from '../settings';
import { agreeingBool, serverFromHostPort } from './address';

export const AI_PLATFORM_KEYS = ['MINIO_SECURE', 'MINIO_USE_SSL', 'QDRANT_HOST', 'NEO4J_HOST', 'NEO4J_PORT'] as const;

function minioEndpoint(s: Settings): void {
  const secure = agreeingBool(s, ['MINIO_SECURE', 'MINIO_USE_SSL']);
  const endpoint = s.raw('MINIO_ENDPOINT');
  if (endpoint === undefined) {
    if (secure) throw new ConfigError(secure.key, 'is set, but no endpoint is: set MINIO_ENDPOINT too');
    return;
  }
  if (endpoint.includes('://')) {
    const https = endpoint.startsWith('https://');
    if (secure && secure.value !== https) throw new ConfigError(s.from('MINIO_ENDPOINT'), `says ${https ? 'https' : 'http'} but ${secure.key} is ${String(secure.value)}; set only one`);
    return;
  }
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(endpoint)) {
    throw new ConfigError(s.from('MINIO_ENDPOINT'), `must be host:port (minio:9000) or a URL like http://host:port, got '${endpoint}'`);
  }
  s.values.MINIO_ENDPOINT = `${secure?.value ? 'https' : 'http'}://${endpoint}`;
  if (secure) s.origin.MINIO_ENDPOINT = `${s.from('MINIO_ENDPOINT')} + ${secure.key}`;
}

export function applyAiPlatform(s: Settings): void {
  minioEndpoint(s);
  serverFromHostPort(s, { urlKey: 'QDRANT_URL', hostKey: 'QDRANT_HOST', portKeys: ['QDRANT_PORT'], triggers: ['QDRANT_HOST'], scheme: 'http', defaultPort: 6333 });
  // NEO4J_BOLT_PORT is the Neo4j-to-R2 service's name (and the local stack's) for the same port.
  serverFromHostPort(s, { urlKey: 'NEO4J_URI', hostKey: 'NEO4J_HOST', portKeys: ['NEO4J_PORT', 'NEO4J_BOLT_PORT'], triggers: ['NEO4J_HOST', 'NEO4J_PORT'], scheme: 'bolt', defaultPort: 7687 });
}
