/**
 * What `cairn adopt` reads from a key and a Cypher script, without a stack: each legacy layout's keys (and
 * near-misses, including Cairn's own keys, which must never be taken for legacy ones), and the streaming
 * statement splitter on the cases a naive split on ';' gets wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { recognise } from '../adopt/layouts';
import { scriptItems, type ScriptItem } from '../engines/neo4j/cypher-statements';

test('each legacy layout is recognised with its type, database, time and format; look-alikes are not', () => {
  const ai = recognise('postgres/2025/01/30/postgres_20250130_020000.dump')!;
  assert.deepEqual({ ...ai, takenAt: ai.takenAt.toISOString() }, {
    from: 'ai-platform', key: 'postgres/2025/01/30/postgres_20250130_020000.dump', type: 'postgres', takenAt: '2025-01-30T02:00:00.000Z',
    format: 'pg-custom', gzip: false, legacyId: 'postgres_20250130_020000',
  });
  assert.equal(recognise('legacy/qdrant/2025/01/30/qdrant_20250130_020000.snapshot')?.format, 'qdrant-snapshot', 'under a prefix too');
  assert.equal(recognise('neo4j/2025/01/30/neo4j_20250130_020000.dump')?.format, 'neo4j-admin-dump');
  assert.equal(recognise('postgres/2025/01/31/postgres_20250130_020000.dump'), undefined, 'the folder must be the file\'s own day');
  assert.equal(recognise('qdrant/2025/01/30/qdrant_20250130_020000.dump'), undefined);
  assert.equal(recognise('postgres/2025/02/30/postgres_20250230_020000.dump'), undefined, 'no such day');

  const clara = recognise('backups/mem0/mem0_20260201_030000.sql.gz')!;
  assert.deepEqual([clara.from, clara.type, clara.database, clara.format, clara.gzip], ['clara', 'postgres', 'mem0', 'pg-plain-sql', true]);
  assert.equal(recognise('backups/mem0/clara_20260201_030000.sql.gz'), undefined, 'folder and file name the same database');

  const agentic = recognise('backups/backup_agentic_db_20250122_020015.sql.gz')!;
  assert.deepEqual([agentic.from, agentic.database, agentic.sidecarKey, agentic.takenAt.toISOString()],
    ['agentic', 'agentic_db', 'backups/backup_agentic_db_20250122_020015.sql.gz.sha256', '2025-01-22T02:00:15.000Z']);
  assert.equal(recognise('backup_agentic_db_20250122_020015.sql.gz')?.from, 'agentic', 'BACKUP_DIR keeps them at the top');
  assert.equal(recognise('backups/backup_agentic_db_20250122_020015.sql.gz.sha256'), undefined);

  const r2 = recognise('neo4j-backup/neo4j_2025-10-08_02-00-00.cypher.gz')!;
  assert.deepEqual([r2.from, r2.type, r2.format, r2.gzip, r2.takenAt.toISOString()], ['neo4j-r2', 'neo4j', 'neo4j-cypher-script', true, '2025-10-08T02:00:00.000Z']);
  assert.equal(recognise('neo4j_2025-10-08_02-00-00.cypher')?.gzip, false, 'BACKUP_COMPRESSION=false, and BACKUP_PREFIX already the prefix');

  for (const own of ['postgres/ai_platform/2026/11/21/postgres_ai_platform_20261121_020000.dump', 'postgres/mem0/2026/11/21/postgres_mem0_20261121_020000.dump.zst',
    'neo4j/neo4j/2026/11/21/neo4j_neo4j_20261121_020000.ndjson.gz', 'qdrant/qdrant/2026/11/21/qdrant_qdrant_20261121_020000.docs.snapshot',
    'postgres/2025/2026/11/21/postgres_2025_20261121_020000.dump', 'sets/2026/11/21/set.json', 'metadata/last_backup.json']) {
    assert.equal(recognise(own), undefined, `${own} is Cairn's own (or no archive)`);
  }
});

async function split(chunks: string[]): Promise<ScriptItem[]> {
  const out: ScriptItem[] = [];
  for await (const item of scriptItems(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(item);
  return out;
}

test('the Cypher splitter: semicolons in strings, names and comments, cypher-shell commands, any chunking', async () => {
  const script = [
    '// Neo4j Database Export; not a statement',
    ':begin',
    "CREATE (n:Person {name: 'A;b', q: \"x\\\"; y\"});",
    'CREATE (n:`We;ird` {v: 1}); /* a; comment */ MATCH (a) RETURN a;',
    ':commit',
    ':schema await',
    '',
  ].join('\n');
  const expected: ScriptItem[] = [
    { kind: 'command', text: ':begin' },
    { kind: 'statement', text: "CREATE (n:Person {name: 'A;b', q: \"x\\\"; y\"})" },
    { kind: 'statement', text: 'CREATE (n:`We;ird` {v: 1})' },
    { kind: 'statement', text: 'MATCH (a) RETURN a' },
    { kind: 'command', text: ':commit' },
    { kind: 'command', text: ':schema await' },
  ];
  assert.deepEqual(await split([script]), expected);
  // Every way of cutting it into two chunks (through '//', '/*', '*/', escapes and multi-byte text) gives the same.
  for (let i = 1; i < script.length; i++) assert.deepEqual(await split([script.slice(0, i), script.slice(i)]), expected, `cut at ${i}`);
  await assert.rejects(split(["CREATE (n {name: 'cut sho"]), /ends inside a quoted string/);
  await assert.rejects(split(['CREATE (n);\nCREATE (m)']), /has no ';'.*truncated/);
});
