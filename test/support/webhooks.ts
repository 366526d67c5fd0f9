/** A real local webhook receiver: records every body it is sent; /broken always answers 500. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { path: string; body: Record<string, unknown>; raw: string }

export async function webhookReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void>; waitFor(n: number, path: string, timeoutMs?: number): Promise<Received[]> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString('utf8'); });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/broken') { res.writeHead(500).end(); return; }
      received.push({ path, raw, body: JSON.parse(raw) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, received,
    async close() { server.closeAllConnections(); await new Promise((r) => server.close(r)); },
    /** Waits (polling, not timing anything) until `n` bodies reached `path`; returns them. */
    async waitFor(n, path, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      while (received.filter((r) => r.path === path).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      return received.filter((r) => r.path === path);
    },
  };
}
