/** A raw HTTP client for tests (fetch would normalise `..` out of a path before sending it) and a free port. */
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

export interface Response { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: <T = Record<string, unknown>>() => T }

export function request(base: string, method: string, rawPath: string, opts: { key?: string; body?: string | Buffer } = {}): Promise<Response> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path: rawPath, headers: {
      ...(opts.key ? { 'x-api-key': opts.key } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) } : {}),
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    // A server refusing an oversized body may close the socket while it is still being written.
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
