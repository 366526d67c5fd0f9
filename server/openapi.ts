/** The OpenAPI description served at /openapi.json; test/server.test.ts checks it against the real routes. */
const error = { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const started = { description: 'the workflow was started', content: { 'application/json': { schema: { $ref: '#/components/schemas/Started' } } } };
const ok = (description: string, schema: object = { type: 'object' }, type = 'application/json') => ({ description, content: { [type]: { schema } } });
const auth = { 401: error, 403: error };
const secured = [{ apiKey: [] }];

export function openApiDocument() {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Cairn', version: '1',
      description: 'Backups of PostgreSQL, Neo4j and Qdrant. Every /backup route needs an X-API-Key header (CAIRN_API_KEYS; a CAIRN_STATUS_KEYS key may only read). Errors are {"error":{"code","message"}}.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        Started: { type: 'object', required: ['workflowId', 'runId', 'url'], properties: { workflowId: { type: 'string' }, runId: { type: 'string' }, url: { type: 'string', description: 'the workflow in the Temporal Web UI' } } },
      },
    },
    paths: {
      '/live': { get: { summary: 'liveness: the process answers', responses: { 200: ok('alive') } } },
      '/health': { get: { summary: 'same as /ready', responses: { 200: ok('ready'), 503: ok('not ready, with the failing checks') } } },
      '/ready': { get: { summary: 'readiness: config valid, Temporal connected, a worker polling', responses: { 200: ok('ready'), 503: ok('not ready, with the failing checks') } } },
      '/metrics': { get: { summary: 'Prometheus text format: Cairn\'s series, then the Temporal SDK worker\'s', responses: { 200: ok('metrics', { type: 'string' }, 'text/plain') } } },
      '/openapi.json': { get: { summary: 'this document', responses: { 200: ok('OpenAPI 3') } } },
      '/': { get: { summary: 'the read-only status page (HTML); without a key or session, a form asking for one (401)', security: secured, responses: { 200: ok('status page', { type: 'string' }, 'text/html'), 401: ok('the key form', { type: 'string' }, 'text/html') } } },
      '/login': { post: {
        summary: 'for browsers: exchanges a key (form field `key`) for a session cookie, then redirects to /',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } } } } },
        responses: { 303: { description: 'valid key: session cookie set, redirect to /' }, 400: error, 401: error, 413: error },
      } },
      '/backup/create': { post: {
        summary: 'start a backup cycle (the backupCycle workflow)', security: secured,
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: { targets: { type: 'array', items: { type: 'string' } } } } } } },
        responses: { 202: started, 400: error, ...auth, 413: error, 503: error },
      } },
      '/backup/list': { get: {
        summary: 'backups recorded in the catalog, newest first', security: secured,
        parameters: ['type', 'target', 'status', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: name === 'limit' ? 'integer' : 'string' } })),
        responses: { 200: ok('backups', { type: 'object', properties: { backups: { type: 'array', items: { type: 'object' } } } }), 400: error, ...auth, 503: error },
      } },
      '/backup/restore': { post: {
        summary: 'start a restore (the restoreBackup workflow)', security: secured,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['type'], properties: {
          version: { type: 'integer', enum: [1] }, type: { type: 'string', enum: ['all', 'postgres', 'neo4j', 'qdrant'] }, target: { type: 'string' },
          backupId: { type: 'string' }, setId: { type: 'string' }, into: { type: 'string' }, validateOnly: { type: 'boolean' }, force: { type: 'boolean' },
          jobs: { type: 'integer', minimum: 1, maximum: 64 }, keepOwnership: { type: 'boolean' },
          mask: { type: 'boolean', description: "apply the target's masking rules (config file, masking:) to the copy after its proof; refused into production" },
        } } } } },
        responses: { 202: started, 400: error, ...auth, 413: error, 503: error },
      } },
      '/backup/{key}': { delete: {
        summary: 'delete a backup, manifest first. 409 when it is protected (id starting with _) or still running; 400 when the key is not a backup id',
        security: secured,
        parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string', pattern: '^(postgres|neo4j|qdrant)_[a-z0-9][a-z0-9-]*_\\d{8}_\\d{6}$' } }],
        responses: { 200: ok('deleted'), 400: error, ...auth, 404: error, 409: error, 503: error },
      } },
      '/backup/status': { get: { summary: 'every target against its objectives (the model behind cairn status)', security: secured, responses: { 200: ok('status'), ...auth } } },
      '/backup/force-sync': { post: { summary: 'trigger the backup schedule now', security: secured, responses: { 202: ok('triggered'), ...auth, 404: error } } },
    },
  };
}
