/**
 * Masked copies on the real stack: `restore --mask` applies the configured rules to a proven copy in a new
 * database (hash, NULL, fixed value), leaves every other column, the source and the backup exact, reports what it
 * masked, and is safe to retry; masking into production or without rules is refused before anything is restored;
 * a rule the restored database cannot honour fails naming it, and no unmasked copy is left behind.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PostgresTarget } from '../config/types';
import type { ColumnRule } from '../config/masking';
import { ObjectStore } from '../storage/s3';
import { Catalog } from '../catalog/catalog';
import { postgresEngine } from '../engines/postgres';
import { loadConfig, loadConfigWithSources } from '../config/load';
import { showConfig } from '../config/show';
import { restoreInput } from '../cli/restore';
import { testConfig, withWorker } from './support/stack';
import { adminTarget, createDatabase, dropDatabase, fingerprint, query } from './support/pg';
import { runCycle } from './support/cycle';
import { runDrill, runRestore } from './support/restore';
import { restoredCopies } from './support/damaged-backup';

const created: PostgresTarget[] = [];
after(async () => {
  for (const db of created) {
    for (const r of await query<{ datname: string }>(adminTarget(), 'SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.database}%`])) {
      await dropDatabase({ ...adminTarget(), database: r.datname });
    }
  }
});

const APP_SQL = `
  CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, api_key text);
  INSERT INTO users SELECT g, 'user ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'key-' || g END FROM generate_series(1, 300) g;
  CREATE TABLE oauth_tokens (id serial PRIMARY KEY, user_id int REFERENCES users, access_token text, refresh_token varchar(200), scope text NOT NULL);
  INSERT INTO oauth_tokens (user_id, access_token, refresh_token, scope)
    SELECT g, 'ya29.' || md5(g::text), 'rt-' || md5((g * 7)::text), 'read write' FROM generate_series(1, 300) g;
  UPDATE oauth_tokens SET access_token = 'shared-token' WHERE id IN (10, 20);
  CREATE TABLE notes (id int, body text);
  INSERT INTO notes SELECT g, repeat('n', g % 50) FROM generate_series(1, 100) g;`;

async function database(prefix: string, sql: string): Promise<PostgresTarget> {
  const db = await createDatabase(prefix);
  created.push(db);
  if (sql) await query(db, sql);
  return db;
}

function configFile(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cairn-mask-')), 'cairn.yaml');
  writeFileSync(file, body);
  return file;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

test('restore --mask: the copy is proven, then masked as configured; everything else, the source and the backup stay exact; a retry changes nothing', { timeout: 400_000 }, async () => {
  const app = await database('mk-app', APP_SQL);
  const plain = await database('mk-plain', 'CREATE TABLE t (a int); INSERT INTO t VALUES (1);');
  const file = configFile([
    'masking:',
    `  ${app.database}:`,
    '    - { column: public.oauth_tokens.access_token, with: hash }',
    '    - { column: oauth_tokens.refresh_token, with: null }',
    "    - { column: users.api_key, with: { value: '***' } }",
  ].join('\n'));
  const config = testConfig('mk', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: `${app.database},${plain.database}`, CAIRN_CONFIG: file });
  const sourceBefore = await fingerprint(app);
  const tokensBefore = await query<{ id: number; access_token: string }>(app, 'SELECT id, access_token FROM oauth_tokens ORDER BY id');

  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);

    // Refused before anything is restored: into production (the source itself), and a target without rules.
    const intoSource = await runRestore(client, config, { type: 'postgres', target: app.database, into: app.database, force: true, mask: true });
    assert.equal(intoSource.failed, true);
    assert.match(intoSource.error!, new RegExp(`refusing to mask .*configured target '${app.database}'.*nothing was restored`));
    const noRules = await runRestore(client, config, { type: 'postgres', target: plain.database, mask: true });
    assert.equal(noRules.failed, true);
    assert.match(noRules.error!, new RegExp(`no masking rules configured for target ${plain.database}.*nothing was restored`));
    const validateOnly = await runRestore(client, config, { type: 'postgres', target: app.database, mask: true, validateOnly: true });
    assert.match(validateOnly.error!, /'mask' with 'validateOnly'/);
    assert.deepEqual(await restoredCopies(app), [], 'no refused restore created a database');
    assert.deepEqual(await restoredCopies(plain), []);
    assert.deepEqual(await fingerprint(app), sourceBefore, 'the refused in-place restore left production as it was');

    const run = await runRestore(client, config, { type: 'postgres', target: app.database, mask: true });
    assert.equal(run.failed, false, run.error);
    const [t] = run.result!.targets;
    assert.equal(t!.status, 'restored');
    assert.deepEqual(t!.proof!.checks.filter((c) => !c.ok), [], 'the proof (taken before masking) matched the backup');
    assert.deepEqual(t!.masked, [
      { rule: `masking.${app.database}[0]`, field: 'public.oauth_tokens.access_token', with: 'hash', changed: 300 },
      { rule: `masking.${app.database}[1]`, field: 'public.oauth_tokens.refresh_token', with: 'null', changed: 300 },
      { rule: `masking.${app.database}[2]`, field: 'public.users.api_key', with: "value '***'", changed: 200 },
    ]);
    const [copyName] = await restoredCopies(app);
    const copy = { ...app, database: copyName! };

    const tokens = await query<{ id: number; access_token: string; refresh_token: string | null }>(copy, 'SELECT id, access_token, refresh_token FROM oauth_tokens ORDER BY id');
    assert.deepEqual(tokens.map((r) => r.access_token), tokensBefore.map((r) => sha256(r.access_token)), 'each token replaced by the hex SHA-256 of its value');
    assert.equal(tokens[9]!.access_token, tokens[19]!.access_token, 'equal values stay equal');
    assert.ok(tokens.every((r) => r.refresh_token === null));
    const keys = await query<{ api_key: string | null }>(copy, 'SELECT api_key FROM users ORDER BY id');
    assert.equal(keys.filter((r) => r.api_key === '***').length, 200);
    assert.equal(keys.filter((r) => r.api_key === null).length, 100, 'a NULL stays NULL: there was nothing to hide');

    const unmasked = 'SELECT id, user_id, scope FROM oauth_tokens ORDER BY id';
    assert.deepEqual(await query(copy, unmasked), await query(app, unmasked), 'unmasked columns are exact');
    assert.deepEqual(await query(copy, 'SELECT id, name FROM users ORDER BY id'), await query(app, 'SELECT id, name FROM users ORDER BY id'));
    const copyPrint = await fingerprint(copy);
    assert.equal(copyPrint['public.notes'], sourceBefore['public.notes'], 'tables without rules are exact');
    assert.deepEqual(await fingerprint(app), sourceBefore, 'the source was not touched');

    // A retry (an attempt whose reply was lost) finds the marker and changes nothing: no hash of a hash.
    const dest = postgresEngine.destination({ source: config.targets[0] as PostgresTarget, manifest: undefined as never, into: copyName!, stamp: '', purpose: 'restore', targets: config.targets });
    const again = await postgresEngine.masking!.apply(dest, config.masking[app.database]!, { heartbeat: () => undefined, signal: new AbortController().signal, log: () => undefined });
    assert.deepEqual(again, t!.masked);
    assert.deepEqual(await fingerprint(copy), copyPrint, 'masking again changed nothing');

    const store = new ObjectStore(config.storage);
    const report = JSON.parse(await store.getText(run.result!.reportKey));
    store.destroy();
    assert.deepEqual(report.targets[0].masked, t!.masked, 'the report in the bucket lists what was masked');
    const catalog = new Catalog(config.metadata);
    const rows = (await catalog.pool.query('SELECT report FROM restore_history WHERE workflow_id = $1', [run.workflowId])).rows;
    await catalog.close();
    assert.deepEqual(rows[0].report.targets[0].masked, t!.masked, 'restore_history lists it too');

    // The backup itself was never masked: restoring it without --mask gives the source back exactly.
    const exact = await runRestore(client, config, { type: 'postgres', target: app.database, into: `${app.database}_exact` });
    assert.equal(exact.failed, false, exact.error);
    assert.equal(exact.result!.targets[0]!.masked, undefined);
    assert.deepEqual(await fingerprint({ ...app, database: `${app.database}_exact` }), sourceBefore);
  });
});

test('a rule the restored database cannot honour fails the restore naming the rule, and the unmasked copy is removed', { timeout: 300_000 }, async () => {
  const app = await database('mk-bad', APP_SQL);
  const file = configFile([
    'masking:',
    `  ${app.database}:`,
    '    - { column: oauth_tokens.access_token, with: hash }',
    '    - { column: oauth_tokens.scope, with: null }',
  ].join('\n'));
  const config = testConfig('mk-bad', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: app.database, CAIRN_CONFIG: file });
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const run = await runRestore(client, config, { type: 'postgres', target: app.database, mask: true });
    assert.equal(run.failed, true);
    assert.match(run.error!, new RegExp(`masking rule masking\\.${app.database}\\[1\\] \\(public\\.oauth_tokens\\.scope, with null\\): the column is NOT NULL`));
    assert.match(run.error!, /the unmasked copy .* was removed/);
    assert.deepEqual(await restoredCopies(app), [], 'no unmasked copy was left behind');
  });

  // All or nothing: a rule naming a table the database lacks fails naming it, and the rule before it is rolled back.
  const scratch = await database('mk-scratch', APP_SQL);
  const before = await fingerprint(scratch);
  const dest = postgresEngine.destination({ source: scratch, manifest: undefined as never, into: scratch.database, stamp: '', purpose: 'restore', targets: [] });
  const rules = [
    { at: 'masking.app[0]', schema: 'public', table: 'oauth_tokens', column: 'access_token', with: 'hash' as const },
    { at: 'masking.app[1]', schema: 'public', table: 'sessions', column: 'token', with: 'hash' as const },
  ];
  const quiet = { heartbeat: () => undefined, signal: new AbortController().signal, log: () => undefined };
  await assert.rejects(postgresEngine.masking!.apply(dest, rules, quiet), /masking rule masking\.app\[1\] \(public\.sessions\.token, with hash\): there is no table public\.sessions in the restored database; nothing was masked/);
  await assert.rejects(postgresEngine.masking!.apply(dest, [{ ...rules[0]!, column: 'acess_token' }], quiet), /table public\.oauth_tokens has no column "acess_token"/);
  await assert.rejects(postgresEngine.masking!.apply(dest, [{ ...rules[0]!, column: 'id', with: { value: 'not a number' } }], quiet),
    /masking rule masking\.app\[0\] \(public\.oauth_tokens\.id, with value 'not a number'\): PostgreSQL refused it for column type integer: invalid input syntax/);
  assert.deepEqual(await fingerprint(scratch), before, 'a failed masking changed nothing');
});

test('DRILL_MASK: the drill masks its copy after the proof, so the drill checks see masked data and the report lists it', { timeout: 400_000 }, async () => {
  const app = await database('mk-drill', APP_SQL);
  const file = configFile([
    'masking:',
    `  ${app.database}:`,
    '    - { column: oauth_tokens.access_token, with: hash }',
    'drill_checks:',
    `  - { name: no plaintext tokens, target: ${app.database}, query: "SELECT count(*) FROM oauth_tokens WHERE access_token LIKE 'ya29.%'", expect: '0' }`,
  ].join('\n'));
  const config = testConfig('mk-drill', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: app.database, CAIRN_CONFIG: file, DRILL_MASK: 'true' });
  await withWorker(config, async (client) => {
    const cycle = await runCycle(client, config);
    assert.equal(cycle.failed, false, cycle.error);
    const run = await runDrill(client, config);
    assert.equal(run.failed, false, run.error);
    assert.deepEqual(run.report!.targets[0]!.masked, [{ rule: `masking.${app.database}[0]`, field: 'public.oauth_tokens.access_token', with: 'hash', changed: 300 }]);
    assert.deepEqual(run.report!.checks.map((c) => [c.name, c.ok]), [['no plaintext tokens', true]]);
    assert.ok(run.report!.teardown.every((t) => t.ok), 'the masked drill copy was removed');
  });
  assert.throws(() => testConfig('mk-drill2', { CAIRN_TARGET_TYPES: 'postgres', POSTGRES_DATABASES: app.database, DRILL_MASK: 'true' }),
    /config: DRILL_MASK is true, but no masking rules are configured/);
});

test('masking rules are checked when the config loads, naming the place in the file; cairn config show lists them', () => {
  const targets = 'targets:\n  - { type: postgres, name: app, user: u, password: p, database: app }\n  - { type: qdrant, name: vectors, url: "http://127.0.0.1:6333" }\n'
    + '  - { type: neo4j, name: graph, uri: "bolt://127.0.0.1:7687", user: neo4j, password: p, database: neo4j }\n';
  const load = (masking: string) => loadConfig({ CAIRN_CONFIG: configFile(`${targets}masking:\n${masking}`) });
  const cases: [string, RegExp][] = [
    ['  shop:\n    - { column: t.c, with: hash }', /config: masking\.shop names 'shop', which is not a configured target \(app, vectors, graph\)/],
    ['  vectors:\n    - { column: t.c, with: hash }', /config: masking\.vectors names qdrant target 'vectors'; masking is implemented for PostgreSQL columns and Neo4j properties/],
    ['  graph:\n    - { column: t.c, with: hash }', /config: masking\.graph\[0\]\.column is not a setting of a masking rule for this target \(settings: property, with\)/],
    ['  graph:\n    - { property: apiKey, with: hash }', /config: masking\.graph\[0\]\.property must be Label\.property, got 'apiKey'/],
    ['  app:\n    - { column: tokens, with: hash }', /config: masking\.app\[0\]\.column must be schema\.table\.column or table\.column, got 'tokens'/],
    ['  app:\n    - { column: t.c, with: hash }\n    - { column: t.c, with: redact }', /config: masking\.app\[1\]\.with must be hash, null, or \{ value: '\*\*\*' \}, got "redact"/],
    ['  app:\n    - { column: t.c }', /config: masking\.app\[0\]\.with is required/],
    ['  app:\n    - { column: t.c, with: hash, where: "id > 1" }', /config: masking\.app\[0\]\.where is not a setting of a masking rule/],
    ['  app:\n    - { column: t.c, with: hash }\n    - { column: public.t.c, with: null }', /config: masking\.app\[1\]\.column masks public\.t\.c a second time/],
    ['  app: []', /config: masking\.app must be a non-empty list of rules/],
  ];
  for (const [masking, error] of cases) assert.throws(() => load(masking), error, masking);

  const loaded = loadConfigWithSources({ CAIRN_CONFIG: configFile(`${targets}masking:\n  app:\n    - { column: auth.tokens.secret, with: { value: REDACTED } }\n    - { column: users.email, with: null }\n  graph:\n    - { property: User.apiKey, with: hash }\n`) });
  assert.deepEqual((loaded.config.masking.app as ColumnRule[]).map((r) => [r.schema, r.table, r.column, r.with]), [['auth', 'tokens', 'secret', { value: 'REDACTED' }], ['public', 'users', 'email', 'null']]);
  const shown = showConfig(loaded).filter((r) => r.setting.startsWith('masking.'));
  assert.deepEqual(shown.map((r) => [r.setting, r.value]), [
    ['masking.app[0]', "auth.tokens.secret -> value 'REDACTED'"], ['masking.app[1]', 'public.users.email -> null'], ['masking.graph[0]', 'User.apiKey -> hash'],
  ]);
  assert.match(shown[0]!.from, /CAIRN_CONFIG/);

  // cairn restore (and POST /backup/restore, which shares restoreInput) refuses what --mask cannot do before starting anything.
  const flags = { validateOnly: false, force: false, keepOwnership: false, wait: false, json: false, type: 'postgres', mask: true };
  assert.deepEqual(restoreInput(loaded.config, { ...flags, target: 'app' }), { version: 1, type: 'postgres', target: 'app', mask: true });
  assert.equal(restoreInput(loaded.config, { ...flags, target: 'app', validateOnly: true }), '--mask with --validate-only: nothing is restored, so nothing can be masked');
  assert.match(restoreInput(loaded.config, { ...flags, type: 'qdrant', target: 'vectors' }) as string, /^--mask: no masking rules configured for target vectors/);
});
