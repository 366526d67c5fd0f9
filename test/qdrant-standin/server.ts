/**
 * The qdrant stand-in's HTTP server: routes requests by the real spec, validates them and its own
 * responses against it, and records any response that breaks the spec (a stand-in bug) in its journal.
 */
import { createReadStream, mkdtempSync, promises as fs } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Handler, Reply } from './call';
import { Contract, type Operation } from './contract';
import { QdrantError, unsupported } from './errors';
import { dataHandlers } from './handlers-data';
import { snapshotHandlers } from './handlers-snapshots';
import { Journal } from './journal';
import { SnapshotFiles } from './snapshots';
import { loadSpec, specPath } from './spec-file';
import { Store } from './store';

export interface StandinOptions {
  port?: number;
  dataDir?: string;
  /** when set, requests need it in `api-key` (or `Authorization: Bearer`), as with Qdrant's service.api_key */
  apiKey?: string;
  specFile?: string;
  /** replaces handlers by operationId; the stand-in's own tests use it to make it misbehave on purpose */
  handlers?: Record<string, Handler>;
  /** wraps handlers by operationId, e.g. to write to a collection while its snapshot is taken */
  around?: Record<string, (original: Handler) => Handler>;
  log?: boolean;
}

export interface Standin { url: string; port: number; dataDir: string; journal: Journal; close(): Promise<void> }

/** Paths real Qdrant serves without an API key. */
const OPEN_PATHS = [/^\/$/, /^\/healthz$/, /^\/readyz/, /^\/livez/];

export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  const contract = new Contract(loadSpec(opts.specFile ?? specPath()));
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'qdrant-standin-'));
  await fs.mkdir(dataDir, { recursive: true });
  const journal = new Journal();
  const store = new Store();
  const handlers: Record<string, Handler> = {
    ...dataHandlers(store),
    ...snapshotHandlers(store, new SnapshotFiles(dataDir), dataDir, journal, contract),
    ...opts.handlers,
  };
  for (const [operationId, wrap] of Object.entries(opts.around ?? {})) handlers[operationId] = wrap(handlers[operationId]);

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      console.error(`[qdrant stand-in] failed to answer ${req.method} ${req.url}: ${err.stack}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy(err);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const request = `${req.method} ${url.pathname}${url.search}`;
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    if (opts.log) res.on('finish', () => console.log(`[qdrant stand-in] ${request} -> ${res.statusCode}`));

    if (url.pathname === '/__standin/violations') {
      // Not Qdrant's: lets tests assert the stand-in never broke the spec.
      return sendRaw(res, 200, 'application/json', JSON.stringify({ violations: journal.violations, pitfalls: journal.pitfalls }));
    }
    const match = contract.match(req.method ?? 'GET', url.pathname);
    if (!('op' in match)) {
      req.resume();
      const why = match.pathKnown ? `method ${req.method} is not allowed on ${url.pathname}` : `no route for ${url.pathname}`;
      return sendRaw(res, 404, 'application/json', JSON.stringify({ status: { error: `Not found: ${why}` }, time: seconds() }));
    }
    if (opts.apiKey && !OPEN_PATHS.some((p) => p.test(url.pathname))) {
      const given = req.headers['api-key'] ?? req.headers.authorization?.replace(/^Bearer /i, '');
      if (given !== opts.apiKey) {
        req.resume();
        // Qdrant's auth middleware answers before any operation, in plain text, outside the spec.
        return sendRaw(res, 401, 'text/plain', given ? 'Invalid API key or JWT' : 'Must provide an API key or an Authorization bearer token');
      }
    }
    let reply: Reply;
    try {
      reply = await dispatch(match.op, match.pathParams, url.searchParams, req);
    } catch (err) {
      req.resume();
      const status = err instanceof QdrantError ? err.status : 500;
      if (!(err instanceof QdrantError)) console.error(`[qdrant stand-in] ${request} failed: ${(err as Error).stack}`);
      const message = err instanceof QdrantError ? err.message : `Service internal error: ${(err as Error).message}`;
      return sendJson(res, match.op, request, status, { status: { error: message }, time: seconds() });
    }
    if ('file' in reply) return sendFile(res, match.op, request, reply.file, reply.contentType);
    if ('accepted' in reply) return sendJson(res, match.op, request, 202, { status: 'accepted', time: seconds() });
    if ('raw' in reply) return sendJson(res, match.op, request, 200, reply.raw);
    return sendJson(res, match.op, request, 200, { result: reply.result, status: 'ok', time: seconds() });
  }

  async function dispatch(op: Operation, pathParams: Record<string, string>, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
    const params = contract.checkParams(op, pathParams, query);
    if (!params.ok) throw new QdrantError(400, `Format error in query string or path: ${params.problem}`);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let body: unknown;
    if (contract.requestSchema(op, 'application/json') !== undefined) {
      const text = await readText(req);
      if (contentType !== 'application/json') throw new QdrantError(400, `Content type error: expected application/json, got "${contentType}"`);
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new QdrantError(400, `Format error in JSON body: ${(err as Error).message}`);
      }
      const checked = contract.checkBody(op, 'application/json', body);
      if (!checked.ok) throw new QdrantError(400, `Format error in JSON body: ${checked.problem}`);
    } else if (contract.requestSchema(op, 'multipart/form-data') !== undefined) {
      if (contentType !== 'multipart/form-data') throw new QdrantError(400, `Content type error: expected multipart/form-data, got "${contentType}"`);
    } else {
      req.resume();
    }
    const handler = handlers[op.operationId];
    if (!handler) throw unsupported(`${op.method} ${op.template} (${op.operationId})`);
    return handler({ params: params.value, body, req });
  }

  function sendJson(res: ServerResponse, op: Operation, request: string, status: number, payload: unknown): void {
    const problems = contract.checkResponse(op, status, 'application/json', payload);
    if (problems.length) return violated(res, request, status, problems);
    sendRaw(res, status, 'application/json', JSON.stringify(payload));
  }

  function violated(res: ServerResponse, request: string, status: number, problems: string[]): void {
    journal.violation({ at: new Date().toISOString(), request, status, problems });
    const error = { status: { error: `qdrant stand-in bug: its ${status} response broke the Qdrant spec: ${problems.join('; ')}` }, time: 0 };
    sendRaw(res, 500, 'application/json', JSON.stringify(error));
  }

  async function sendFile(res: ServerResponse, op: Operation, request: string, file: string, contentType: string): Promise<void> {
    const problems = contract.checkResponse(op, 200, contentType);
    if (problems.length) return violated(res, request, 200, problems);
    const { size } = await fs.stat(file);
    res.writeHead(200, { 'content-type': contentType, 'content-length': size });
    await pipeline(createReadStream(file), res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 6333, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    journal,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // A data dir the stand-in made up for itself is scratch; one it was given belongs to the caller.
      if (!opts.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

function sendRaw(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
