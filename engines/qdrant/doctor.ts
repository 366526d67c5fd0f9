/** Health checks for `cairn doctor`: reachable, which server, API key, collections. */
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type HealthCheck } from '../engine';
import { QdrantApi } from './http';

export async function doctor(target: QdrantTarget): Promise<HealthCheck[]> {
  const api = new QdrantApi(target, AbortSignal.timeout(15_000));
  const checks: HealthCheck[] = [];
  let server: { title: string; version: string };
  try {
    server = await api.version(); // GET / needs no API key on Qdrant
  } catch (err) {
    checks.push({
      check: 'qdrant reachable', ok: false, detail: (err as Error).message,
      fix: `check the url of target ${target.name} and that Qdrant runs there (local stack: bash stack/services/qdrant.sh start)`,
    });
    return checks;
  }
  checks.push({ check: 'qdrant reachable', ok: true, detail: `${api.base} answered` });
  const standin = /stand-in/i.test(server.title);
  checks.push({
    check: 'qdrant version', ok: true,
    detail: `${server.title} ${server.version}${standin ? ' (Cairn\'s test stand-in, not a real Qdrant: only for tests and demos)' : ''}`,
  });

  try {
    const names = await api.collections();
    checks.push({ check: 'qdrant api key', ok: true, detail: target.apiKey ? 'accepted' : 'none configured, none required' });
    const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? `, ... (${names.length - 10} more)` : '');
    checks.push({ check: 'qdrant collections', ok: true, detail: `${names.length} collection(s)${names.length ? `: ${shown}` : ''}` });
  } catch (err) {
    if (err instanceof PermanentError && err.kind === 'QdrantAuthRejected') {
      checks.push({
        check: 'qdrant api key', ok: false, detail: `API key rejected: ${err.message}`,
        fix: target.apiKey
          ? `the apiKey of target ${target.name} does not match the server's service.api_key (QDRANT__SERVICE__API_KEY); update it`
          : `the server requires an API key: set apiKey on target ${target.name}`,
      });
    } else {
      checks.push({ check: 'qdrant collections', ok: false, detail: (err as Error).message, fix: 'see the Qdrant server log' });
    }
  }
  return checks;
}
