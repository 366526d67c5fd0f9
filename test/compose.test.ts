/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked by construction: the worker's
 * environment goes through Cairn's real config loader and must aim at the compose services, with the same
 * credentials those services are given, for the defaults and for values overridden in a .env file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../config/load';
import { KNOWN_ENV_KEYS } from '../config/keys';
import type { CairnConfig, Neo4jTarget, PostgresTarget, QdrantTarget } from '../config/types';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = 'cairn-worker';

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, unknown> | string[] };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: (string | number | { target?: number; published?: string | number; host_ip?: string })[];
  expose?: (string | number)[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  network_mode?: string;
}

/**
 * Compose's variable substitution, as `docker compose` applies it to every value: `$$` is a literal `$`;
 * `${VAR:-default}` / `${VAR-default}` fall back when VAR is unset-or-empty / unset; `${VAR:?msg}` fails.
 */
function interpolate(text: string, shell: Env): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name: string | undefined, colon: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const key = (name ?? bare)!;
      const value = shell[key];
      const missing = colon ? value === undefined || value === '' : value === undefined;
      switch (op) {
        case '-': return missing ? interpolate(arg ?? '', shell) : value!;
        case '?': if (missing) throw new Error(`compose would stop: ${key} ${arg}`); return value!;
        case '+': return missing ? '' : interpolate(arg ?? '', shell);
        default: return value ?? '';
      }
    });
}

function deepInterpolate(node: unknown, shell: Env): unknown {
  if (typeof node === 'string') return interpolate(node, shell);
  if (Array.isArray(node)) return node.map((n) => deepInterpolate(n, shell));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deepInterpolate(v, shell)]));
  return node;
}

const rawCompose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

/** The services as `docker compose up` would run them with `shell` as the shell environment / .env file. */
function project(shell: Env = {}): Record<string, Service> {
  return (deepInterpolate(rawCompose, shell) as { services: Record<string, Service> }).services;
}

function envOf(service: Service): Env {
  const env: Env = {};
  const e = service.environment ?? {};
  if (Array.isArray(e)) {
    for (const item of e) {
      const i = item.indexOf('=');
      if (i > 0) env[item.slice(0, i)] = item.slice(i + 1);
    }
  } else {
    for (const [k, v] of Object.entries(e)) if (v !== null && v !== undefined) env[k] = String(v);
  }
  return env;
}

function service(services: Record<string, Service>, name: string): Service {
  const s = services[name];
  assert.ok(s, `docker-compose.yml has a '${name}' service`);
  return s;
}

/** Ports a service's container listens on, as compose declares them (published or exposed). */
function containerPorts(s: Service): number[] {
  const ports = (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.target);
    const spec = String(p).split('/')[0]!;
    return Number(spec.split(':').at(-1));
  });
  return [...ports, ...(s.expose ?? []).map((p) => Number(String(p).split('/')[0]))];
}

/** Host port that `containerPort` is published on. */
function publishedPort(s: Service, containerPort: number): number | undefined {
  for (const p of s.ports ?? []) {
    if (typeof p === 'object') {
      if (Number(p.target) === containerPort) return Number(p.published);
    } else {
      const parts = String(p).split('/')[0]!.split(':');
      if (Number(parts.at(-1)) === containerPort && parts.length >= 2) return Number(parts.at(-2));
    }
  }
  return undefined;
}

function workerConfig(shell: Env = {}): { services: Record<string, Service>; config: CairnConfig } {
  const services = project(shell);
  // Exactly what the worker container gets: its compose environment and nothing from this machine.
  return { services, config: loadConfig(envOf(service(services, WORKER))) };
}

function commandText(s: Service): string {
  return [s.entrypoint, s.command].flat().filter((x) => x !== undefined).join(' ');
}

// Distinct from every default, so a value hard-coded on one side only shows up as a mismatch.
const OVERRIDES: Env = {
  POSTGRES_USER: 'ops', POSTGRES_PASSWORD: 'pg-Override-1', POSTGRES_DB: 'inventory',
  NEO4J_PASSWORD: 'neo4j-Override-1', MINIO_ACCESS_KEY: 'backup-admin', MINIO_SECRET_KEY: 'minio-Override-1',
  BACKUP_BUCKET: 'nightly-backups', TEMPORAL_NAMESPACE: 'backups', TEMPORAL_TASK_QUEUE: 'cairn-prod',
  BACKUP_SCHEDULE: '15 3 * * *', BACKUP_RETENTION_DAYS: '90',
};

test('compose runs every service the worker needs, and the worker waits until each is ready', () => {
  const services = project();
  for (const name of ['postgres', 'temporal', 'temporal-ui', 'neo4j', 'qdrant', 'minio', 'minio-init', WORKER]) service(services, name);

  const worker = service(services, WORKER);
  const deps = worker.depends_on;
  assert.ok(deps && !Array.isArray(deps), 'the worker waits on conditions, not just on containers being created');
  for (const name of ['postgres', 'temporal', 'neo4j', 'qdrant', 'minio-init']) {
    assert.ok(deps[name], `the worker waits for ${name}`);
  }
  assert.equal(deps['minio-init']!.condition, 'service_completed_successfully', 'the bucket exists before the worker starts');

  for (const [name, s] of Object.entries(services)) {
    const d = s.depends_on ?? [];
    const entries: [string, { condition?: string }][] = Array.isArray(d) ? d.map((n) => [n, {}]) : Object.entries(d);
    for (const [dep, cond] of entries) {
      const target = services[dep];
      assert.ok(target, `${name} depends on '${dep}', which exists`);
      if (cond.condition === 'service_healthy') {
        // Without a healthcheck, compose refuses to start the dependent service at all.
        assert.ok(target.healthcheck?.test && !target.healthcheck.disable, `${name} waits for ${dep} to be healthy, so ${dep} has a healthcheck`);
      }
      if (cond.condition === 'service_completed_successfully') {
        // A one-shot job that compose restarts never counts as completed.
        assert.ok(!target.restart || target.restart === 'no' || target.restart.startsWith('on-failure'), `${dep} is a one-shot job (restart: ${target.restart})`);
      }
    }
  }
});

test("the worker's environment loads into a valid config aimed at the compose services", () => {
  const { services, config } = workerConfig();

  const [pg, ...morePg] = config.targets.filter((t): t is PostgresTarget => t.type === 'postgres');
  assert.ok(pg && morePg.length === 0, 'one PostgreSQL target');
  assert.equal(pg.host, 'postgres');
  assert.ok(containerPorts(service(services, 'postgres')).includes(pg.port), `postgres listens on ${pg.port}`);
  // The target database is the one the postgres image creates, so the first backup has something to dump.
  assert.equal(pg.database, envOf(service(services, 'postgres')).POSTGRES_DB);
  assert.equal(config.metadata.host, 'postgres');
  assert.equal(config.metadata.database, envOf(service(services, 'postgres')).POSTGRES_DB);

  const neo = config.targets.find((t): t is Neo4jTarget => t.type === 'neo4j');
  assert.ok(neo, 'a Neo4j target');
  const bolt = new URL(neo.uri);
  assert.equal(bolt.hostname, 'neo4j');
  assert.equal(bolt.port, '7687', 'Bolt, not the HTTP port');
  assert.ok(containerPorts(service(services, 'neo4j')).includes(7687));
  // Restores and drills go to a second Neo4j (Community has one user database per instance), never production.
  const drill = new URL(neo.drill!.uri);
  assert.equal(drill.hostname, 'neo4j-drill');
  assert.ok(containerPorts(service(services, 'neo4j-drill')).includes(Number(drill.port)));
  assert.equal(envOf(service(services, 'neo4j-drill')).NEO4J_AUTH, `neo4j/${neo.drill!.password}`);
  assert.ok(config.ops.http.port > 0 && containerPorts(service(services, WORKER)).includes(config.ops.http.port), 'the HTTP server is published');

  const qd = config.targets.find((t): t is QdrantTarget => t.type === 'qdrant');
  assert.ok(qd, 'a Qdrant target');
  const rest = new URL(qd.url);
  assert.equal(`${rest.protocol}//${rest.hostname}:${rest.port}`, 'http://qdrant:6333');
  assert.ok(containerPorts(service(services, 'qdrant')).includes(6333));

  const s3 = new URL(config.storage.endpoint);
  assert.equal(`${s3.hostname}:${s3.port}`, 'minio:9000', 'the S3 API, not the console');
  assert.ok(containerPorts(service(services, 'minio')).includes(9000));
  assert.match(commandText(service(services, 'minio')), /--address :9000\b/);

  assert.equal(config.temporal.address, 'temporal:7233');
  assert.ok(containerPorts(service(services, 'temporal')).includes(7233));
  assert.equal(envOf(service(services, 'temporal-ui')).TEMPORAL_ADDRESS, config.temporal.address, 'the UI shows the server the worker uses');
  // Links the CLI prints must open in the user's browser, i.e. on the UI's published port.
  assert.equal(config.temporal.uiUrl, `http://127.0.0.1:${publishedPort(service(services, 'temporal-ui'), 8080)}`);

  assert.equal(config.backup.applyScheduleOnStart, true, 'the nightly schedule exists as soon as the worker is up');
  assert.equal(config.backup.schedule, '0 2 * * *');
  assert.equal(config.backup.retentionDays, 30);
});

test('credentials agree between the worker and every service, by default and when overridden in .env', () => {
  for (const shell of [{}, OVERRIDES]) {
    const label = Object.keys(shell).length ? 'with .env overrides' : 'with defaults';
    const { services, config } = workerConfig(shell);
    const pg = config.targets.find((t): t is PostgresTarget => t.type === 'postgres')!;
    const neo = config.targets.find((t): t is Neo4jTarget => t.type === 'neo4j')!;

    const pgEnv = envOf(service(services, 'postgres'));
    assert.deepEqual([pg.user, pg.password, pg.database], [pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD, pgEnv.POSTGRES_DB], `postgres ${label}`);
    assert.deepEqual([config.metadata.user, config.metadata.password], [pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD], `backup_history ${label}`);

    // Temporal keeps its state in the same server, so it needs the same login.
    const schemaEnv = envOf(service(services, 'temporal-schema'));
    assert.deepEqual([schemaEnv.SQL_USER, schemaEnv.SQL_PASSWORD], [pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD], `temporal-schema ${label}`);
    const temporalEnv = envOf(service(services, 'temporal'));
    assert.equal(temporalEnv.POSTGRES_SEEDS, 'postgres');
    assert.deepEqual([temporalEnv.POSTGRES_USER, temporalEnv.POSTGRES_PWD], [pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD], `temporal ${label}`);
    assert.equal(envOf(service(services, 'temporal-namespace')).NAMESPACE, config.temporal.namespace, `the namespace the worker uses is created ${label}`);

    // The image's NEO4J_AUTH only ever sets the password of the built-in `neo4j` user.
    assert.equal(neo.user, 'neo4j');
    assert.equal(envOf(service(services, 'neo4j')).NEO4J_AUTH, `neo4j/${neo.password}`, `neo4j ${label}`);

    const minioEnv = envOf(service(services, 'minio'));
    assert.deepEqual([minioEnv.MINIO_ROOT_USER, minioEnv.MINIO_ROOT_PASSWORD], [config.storage.accessKey, config.storage.secretKey], `minio ${label}`);
    const init = service(services, 'minio-init');
    const initEnv = envOf(init);
    assert.deepEqual([initEnv.MINIO_ROOT_USER, initEnv.MINIO_ROOT_PASSWORD], [config.storage.accessKey, config.storage.secretKey], `minio-init ${label}`);
    assert.equal(initEnv.BACKUP_BUCKET, config.storage.bucket, `minio-init creates the worker's bucket ${label}`);
    const script = commandText(init);
    assert.ok(script.includes(config.storage.endpoint), `minio-init talks to ${config.storage.endpoint}`);
    assert.match(script, /mc mb [^\n]*\$BACKUP_BUCKET/);
    assert.match(script, /mc alias set \S+ \S+ "\$MINIO_ROOT_USER" "\$MINIO_ROOT_PASSWORD"/);
  }

  // The overrides really reached the worker, so the agreement above was not agreement between defaults.
  const { config } = workerConfig(OVERRIDES);
  assert.equal(config.storage.bucket, OVERRIDES.BACKUP_BUCKET);
  assert.equal(config.metadata.password, OVERRIDES.POSTGRES_PASSWORD);
  assert.equal(config.temporal.namespace, OVERRIDES.TEMPORAL_NAMESPACE);
  assert.equal(config.temporal.taskQueue, OVERRIDES.TEMPORAL_TASK_QUEUE);
  assert.equal(config.backup.schedule, OVERRIDES.BACKUP_SCHEDULE);
  assert.equal(config.backup.retentionDays, 90);
});

test('every published port is bound to 127.0.0.1 only', () => {
  const exposed: string[] = [];
  for (const [name, s] of Object.entries(project())) {
    assert.notEqual(s.network_mode, 'host', `${name} does not share the host's network`);
    for (const p of s.ports ?? []) {
      const ok = typeof p === 'object' ? p.host_ip === '127.0.0.1' : String(p).startsWith('127.0.0.1:');
      if (!ok) exposed.push(`${name}: ${JSON.stringify(p)}`);
    }
  }
  assert.deepEqual(exposed, [], 'ports reachable from other machines');
});

test('the worker is built from ./Dockerfile, whose image runs bin/cairn.js worker as a non-root user', () => {
  const worker = service(project(), WORKER);
  const build = typeof worker.build === 'string' ? { context: worker.build } : worker.build;
  assert.ok(build, 'the worker is built, not pulled');
  assert.equal(path.resolve(ROOT, build.context ?? '.'), ROOT);
  const dockerfilePath = path.resolve(ROOT, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
  assert.equal(dockerfilePath, path.join(ROOT, 'Dockerfile'));
  assert.ok(existsSync(path.join(ROOT, 'bin', 'cairn.js')));

  const dockerfile = readFileSync(dockerfilePath, 'utf8').replace(/\\\n/g, ' ');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const instruction = (name: string): string | undefined => [...finalStage.matchAll(new RegExp(`^${name}\\s+(.+)$`, 'gm'))].at(-1)?.[1];
  assert.deepEqual(JSON.parse(instruction('ENTRYPOINT') ?? 'null'), ['node', 'bin/cairn.js']);
  const command = worker.command ?? JSON.parse(instruction('CMD') ?? 'null');
  assert.deepEqual([command].flat(), ['worker']);
  const user = instruction('USER');
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as a non-root user (USER ${user})`);
  assert.match(finalStage, /^COPY .*\bbin\b/m, 'the image contains bin/cairn.js');
  assert.match(finalStage, /^COPY .*\bdist\b/m, 'the image contains the compiled worker');

  // Host node_modules (native binaries for this OS/CPU) and a stale dist/ must not leak into the build.
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', 'dist', '.git', '.env']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
});

test("the worker's pg_dump/pg_restore major version matches the compose PostgreSQL server's", () => {
  // pg_dump refuses newer servers, and pg_restore 17+ emits settings older servers reject: they must match.
  const services = project();
  const serverMajor = /^postgres:(\d+)/.exec(service(services, 'postgres').image ?? '')?.[1];
  assert.ok(serverMajor, 'the postgres image names its major version');
  const build = service(services, WORKER).build;
  const args = typeof build === 'object' && build.args && !Array.isArray(build.args) ? build.args : {};
  const dockerDefault = /^ARG PG_CLIENT_MAJOR=(\d+)/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  assert.equal(String(args.PG_CLIENT_MAJOR ?? dockerDefault), serverMajor);
});

test('the worker sets only variables the config loader reads', () => {
  for (const shell of [{}, OVERRIDES]) {
    const unknown = Object.keys(envOf(service(project(shell), WORKER))).filter((k) => !(KNOWN_ENV_KEYS as readonly string[]).includes(k));
    assert.deepEqual(unknown, [], 'variables Cairn would silently ignore (misspelt?)');
  }
});

test('KNOWN_ENV_KEYS lists exactly the keys config/**/*.ts reads', () => {
  const dir = path.join(ROOT, 'config');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== 'keys.ts');
  assert.ok(files.some((f) => f.startsWith('vocabulary')), 'the deployment vocabularies are scanned too');
  const source = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  const known = new Set<string>(KNOWN_ENV_KEYS);
  const missingFromSource = [...known].filter((k) => !source.includes(`'${k}'`) && !source.includes(`env.${k}`));
  assert.deepEqual(missingFromSource, [], 'listed in config/keys.ts but read nowhere');
  const read = new Set([
    ...[...source.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g)].map((m) => m[1]!),
    ...[...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
  ]);
  assert.deepEqual([...read].filter((k) => !known.has(k)), [], 'read by the loader but missing from config/keys.ts');
});

test('compose Neo4j is 5.26 Community with APOC core enabled', () => {
  const neo4j = service(project(), 'neo4j');
  assert.match(neo4j.image ?? '', /^neo4j:5\.26(\.\d+)?-community$/);
  const plugins: unknown = JSON.parse(envOf(neo4j).NEO4J_PLUGINS ?? '[]');
  assert.ok(Array.isArray(plugins) && plugins.includes('apoc'), `NEO4J_PLUGINS enables apoc (${JSON.stringify(plugins)})`);
});

test('compose Qdrant is 1.19.x, the API version Cairn is validated against', () => {
  assert.match(service(project(), 'qdrant').image ?? '', /^qdrant\/qdrant:v1\.19\.\d+$/);
});

test('every pulled image is pinned to a version and comes from a registry that still serves it', () => {
  for (const [name, s] of Object.entries(project())) {
    if (s.build) continue;
    const image = s.image ?? '';
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    assert.ok(tag && tag !== 'latest', `${name} pins a version (${image})`);
    // MinIO removed minio/minio and minio/mc from Docker Hub in September 2026; quay.io still has them.
    assert.doesNotMatch(image, /^(docker\.io\/)?minio\//, `${name} does not pull from MinIO's removed Docker Hub repositories`);
  }
});
