/** One webhook delivery. Errors name the destination by its label, never by its URL (which may hold a token). */
import type { Webhook } from '../config/ops';

export async function deliver(hook: Webhook, body: unknown, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(hook.url, {
      method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'cairn' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new Error(`${hook.label} did not answer (${cause})`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`${hook.label} answered HTTP ${res.status}`);
}
