/**
 * Cairn's HTTP server: health probes, /metrics, the backup API and the status page. Routes are a table
 * (ROUTES in routes.ts), so the OpenAPI description can be checked against them. Errors are JSON
 * `{ "error": { "code", "message" } }` with a fitting status code, and never carry a secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyRing, type Access } from './auth';

export const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface Request {
  method: string;
  /** the path exactly as sent (not normalised, so `..` reaches the handler and is refused there) */
  rawPath: string;
  query: URLSearchParams;
  params: string[];
  body(): Promise<unknown>;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI path, e.g. /backup/{key} */
  path: string;
  pattern: RegExp;
  access: Access;
  handle(req: Request): Promise<Reply>;
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'body_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return resolve(Object.fromEntries(new URLSearchParams(text)));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'invalid_json', 'the request body is not valid JSON'));
      }
    });
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.text ?? JSON.stringify(reply.json ?? {}, null, 2);
  res.writeHead(reply.status, { ...reply.headers, 'content-type': reply.contentType ?? 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cairn status: key needed</title></head>
<body style="font:14px system-ui,sans-serif;margin:2em"><h1>Cairn status</h1><form method="post" action="/login">
<label>API key or status key <input type="password" name="key" autocomplete="current-password" autofocus></label> <button>Open</button></form></body></html>`;

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const jsonError = (status: number, code: string, message: string): Reply => ({ status, json: { error: { code, message } } });

export function createHttpServer(routes: Route[], keys: KeyRing, log: (entry: Record<string, unknown>) => void): Server {
  return createServer((req, res) => {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const [rawPath = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const finish = (reply: Reply) => {
      send(res, reply);
      log({ msg: 'http request', method, path: rawPath.slice(0, 200), status: reply.status, ms: Date.now() - started });
    };
    const matching = routes.filter((r) => r.pattern.test(rawPath));
    const route = matching.find((r) => r.method === method);
    if (!route) {
      if (matching.length) return finish(jsonError(405, 'method_not_allowed', `${method} is not allowed on ${rawPath.slice(0, 200)} (allowed: ${matching.map((r) => r.method).join(', ')})`));
      return finish(jsonError(404, 'not_found', 'no such endpoint; see /openapi.json'));
    }
    if (route.access !== 'none') {
      const presented = req.headers['x-api-key'];
      const session = /(?:^|;\s*)cairn_session=([0-9a-f]{64})/.exec(req.headers.cookie ?? '')?.[1];
      const access = typeof presented === 'string' ? keys.accessOf(presented) : keys.sessionAccess(session);
      if (access === 'none') {
        if (route.path === '/') return finish({ status: 401, contentType: 'text/html; charset=utf-8', text: LOGIN_PAGE });
        const why = keys.configured ? 'a valid X-API-Key header is required' : 'no API keys are configured (CAIRN_API_KEYS); the API is closed';
        return finish(jsonError(401, 'unauthorized', why));
      }
      if (route.access === 'write' && access !== 'write') return finish(jsonError(403, 'forbidden', 'this key may only read'));
    }
    const request: Request = {
      method, rawPath, query: new URLSearchParams(search), params: route.pattern.exec(rawPath)!.slice(1), body: () => readBody(req),
    };
    route.handle(request).then(finish, (err: unknown) => {
      if (err instanceof HttpError) return finish(jsonError(err.status, err.code, err.message));
      log({ msg: 'http handler failed', path: route.path, error: (err as Error).message });
      finish(jsonError(500, 'internal', 'the request failed inside Cairn; see the server log'));
    });
  });
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}
