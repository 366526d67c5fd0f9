/** Errors the stand-in answers with, in Qdrant's shape: {"status":{"error":"..."},"time":...}. */

export class QdrantError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

// Message prefixes follow Qdrant's StorageError display strings, which clients sometimes match on.
export const notFound = (what: string) => new QdrantError(404, `Not found: ${what}`);
export const collectionNotFound = (name: string) => notFound(`Collection \`${name}\` doesn't exist!`);
export const badInput = (what: string) => new QdrantError(400, `Wrong input: ${what}`);
export const badRequest = (what: string) => new QdrantError(400, `Bad request: ${what}`);
export const conflict = (what: string) => new QdrantError(409, `Wrong input: ${what}`);
/** Real Qdrant supports it; this test double does not. */
export const unsupported = (what: string) => new QdrantError(501, `Not implemented by the qdrant stand-in (test double): ${what}`);
