/** Finds and loads the real Qdrant OpenAPI document the stand-in is held to. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

/** The repository root, found by walking up to package.json, so it works from test/ and from dist/test/. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}: cannot locate the repository root`);
    dir = parent;
  }
  return dir;
}

/** shared/ beside the repository, or $CAIRN_SHARED when the checkout lives elsewhere (a git worktree). */
export function sharedDir(): string {
  return process.env.CAIRN_SHARED || path.resolve(repoRoot(), '..', 'shared');
}

export function specPath(): string {
  return process.env.QDRANT_OPENAPI_SPEC ?? path.join(sharedDir(), 'qdrant', 'openapi-v1.19.json');
}

export function loadSpec(file = specPath()): OpenApiDocument {
  if (!existsSync(file)) {
    throw new Error(`Qdrant OpenAPI spec not found at ${file} (set QDRANT_OPENAPI_SPEC to its path)`);
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  if (!doc.openapi?.startsWith('3.0') || !doc.paths || !doc.components?.schemas) {
    throw new Error(`${file} is not an OpenAPI 3.0 document with paths and components.schemas`);
  }
  return doc;
}
