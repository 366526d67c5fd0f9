/**
 * Proof that a restored database holds what the backup held: the backup-time fingerprints (manifest.proof) are
 * taken again on the destination and compared item by item, with the counts.
 */
import type { PostgresTarget } from '../../config/types';
import type { Manifest } from '../../storage/format/manifest';
import type { Destination, ProofCheck, ProofReport } from '../engine';
import { withDatabase } from './databases';
import { fingerprintDataOn, fingerprintSchema, PROOF_FORMAT, type PgProof } from './fingerprint';
import { NEWEST_WALKED_PG_DUMP } from './archive-walk';
import { countRows } from './session';
import { majorOf, pgDumpVersion } from './tools';
import { fingerprintBeside, halvesOf, isStreamProof, rowsOf, type PgStreamProof } from './stream-proof';

function compare<V>(check: string, expected: V | undefined, found: V | undefined, show: (v: V) => string): ProofCheck {
  const text = (v: V | undefined) => (v === undefined ? 'missing' : show(v));
  const ok = text(expected) === text(found);
  return { check, ok, ...(ok ? {} : { expected: text(expected), found: text(found) }) };
}

const showTable = (t: { rows: number; hash: string }) => `${t.rows} row(s), hash ${t.hash}`;

function compareKeyed<V>(kind: string, expected: Record<string, V>, found: Record<string, V>, show: (v: V) => string): ProofCheck[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort();
  return names.map((n) => compare(`${kind} ${n}`, expected[n], found[n], show));
}

async function countsOnly(target: PostgresTarget, manifest: Manifest, notes: string[]): Promise<ProofReport> {
  const found = await withDatabase(target, async (db) => {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await countRows(db);
    } finally {
      await db.query('ROLLBACK');
    }
  });
  return { checks: compareKeyed('rows', manifest.counts.tables ?? {}, found, String), notes };
}

/**
 * The restored copy's fingerprints: tables scanned on two connections sharing one exported snapshot (each scan
 * is one backend's CPU hashing rows: measured faster on 2 cores than one connection), the schema by pg_dump in
 * that same snapshot, all at once.
 */
async function fingerprintRestored(target: PostgresTarget): Promise<{ data: Omit<PgProof, 'schema'>; schema: PgProof['schema'] }> {
  return withDatabase(target, (first) => withDatabase(target, async (second) => {
    await first.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await second.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const snapshot = (await first.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
      await second.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      const [data, schema] = await Promise.all([fingerprintDataOn([first, second]), fingerprintSchema(target, snapshot)]);
      return { data, schema };
    } finally {
      await second.query('ROLLBACK').catch(() => undefined);
      await first.query('ROLLBACK').catch(() => undefined);
    }
  }));
}

/** A restored copy's proof version 2: its rows read through pg_dump as the backup read the source's (stream-proof.ts). */
async function streamProofOf(target: PostgresTarget, proof: PgStreamProof): Promise<Omit<PgStreamProof, 'format' | 'version' | 'session'>> {
  return withDatabase(target, async (db) => {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const snapshot = (await db.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
      const halves = await halvesOf(db);
      const [tables, beside, schema] = await Promise.all([rowsOf(target, proof.session, snapshot, halves), fingerprintBeside(db), fingerprintSchema(target, snapshot)]);
      return { tables, ...beside, schema };
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
    }
  });
}

export async function provePostgres(dest: Destination<PostgresTarget>, manifest: Manifest): Promise<ProofReport> {
  const proof = manifest.proof as PgProof | PgStreamProof | undefined;
  if (!proof) {
    const why = manifest.version === 1 ? 'the backup was taken by a Cairn that recorded no fingerprints (manifest version 1)' : 'fingerprints were turned off for this target when it was backed up';
    return countsOnly(dest.target, manifest, [`row counts only: ${why}, so row contents, sequences, large objects and the schema are not compared`]);
  }
  let found: Omit<PgStreamProof, 'format' | 'version' | 'session' | 'views'> & { views?: PgStreamProof['views'] };
  if (isStreamProof(proof)) {
    const dumpMajor = majorOf(pgDumpVersion());
    if (dumpMajor > NEWEST_WALKED_PG_DUMP) {
      return countsOnly(dest.target, manifest, [`row counts only: the rows were fingerprinted from the dump, and this pg_dump (${dumpMajor}) writes archives `
        + `newer than this Cairn reads (up to pg_dump ${NEWEST_WALKED_PG_DUMP}), so the copy's rows could not be fingerprinted the same way`]);
    }
    found = await streamProofOf(dest.target, proof);
  } else if (proof.format === PROOF_FORMAT && proof.version === 1) {
    const { data, schema } = await fingerprintRestored(dest.target);
    found = { ...data, schema };
  } else {
    return countsOnly(dest.target, manifest, [`row counts only: the backup's fingerprints are of a format this Cairn does not know (${String(proof.format)} v${String(proof.version)})`]);
  }
  const notes: string[] = [];
  const counts = manifest.counts.tables ?? {};
  // The manifest's counts are checked too: they are what validation and the catalog report.
  const withCounts = (kind: string, expected: Record<string, { rows: number; hash: string }>, got: Record<string, { rows: number; hash: string }>) =>
    compareKeyed(kind, expected, got, showTable).map((c) => {
      const name = c.check.slice(kind.length + 1);
      const rows = got[name]?.rows;
      if (c.ok && counts[name] !== undefined && counts[name] !== rows) {
        return { check: c.check, ok: false, expected: `${counts[name]} row(s) (manifest counts)`, found: `${rows} row(s)` };
      }
      return c;
    });
  const checks = withCounts('table', proof.tables, found.tables);
  if ('views' in proof) checks.push(...withCounts('materialized view', proof.views, found.views ?? {}));
  const seqChecks = compareKeyed('sequence', proof.sequences, found.sequences, (s) => `last_value ${s.lastValue}, is_called ${s.isCalled}`);
  if (seqChecks.some((c) => !c.ok)) {
    notes.push('sequences are not transactional: one advanced while the source was being dumped can differ without any data being lost');
  }
  checks.push(...seqChecks);
  checks.push(compare('large objects', proof.largeObjects, found.largeObjects, (l) => `${l.count} object(s), hash ${l.hash}`));
  checks.push(compare('schema', proof.schema, found.schema, (s) => `${s.statements} statement(s), sha256 ${s.sha256}`));
  return { checks, notes };
}
