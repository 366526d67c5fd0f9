/**
 * Proof that a restored database holds what the backup held (FORMAT.md, "Proof"): the keyed fingerprints the
 * restore took (structure: which node is which and what connects to what), content fingerprints and counts
 * taken live now (nothing changed since), and the live schema, each against what the backup recorded.
 */
import type { Neo4jTarget } from '../../config/types';
import type { Manifest } from '../../storage/format/manifest';
import type { Counts, Destination, ProofCheck, ProofReport, ReadContext, RestoreOutcome } from '../engine';
import { withDriver } from './connect';
import { UNLABELLED, diffCounts, liveCounts } from './counts';
import { FINGERPRINT_ALGORITHM, type KindFingerprint, type Neo4jProof } from './fingerprint';
import { fingerprintDatabase, schemaStatements } from './scan';

export function proveRestore(dest: Destination<Neo4jTarget>, manifest: Manifest, outcome: RestoreOutcome, ctx: ReadContext): Promise<ProofReport> {
  const db = dest.target.database;
  return withDriver(dest.target, async (driver) => {
    const notes: string[] = [];
    const checks = countChecks(manifest.counts, await liveCounts(driver, db));
    const expected = asProof(manifest.proof);
    if (!expected) {
      notes.push(manifest.proof === undefined
        ? `backup ${manifest.backupId} recorded no fingerprints (manifest version ${manifest.version}): only counts were compared, not values or schema`
        : `backup ${manifest.backupId} has fingerprints of an unknown kind (${String(manifest.proof.algorithm)}): only counts were compared`);
    } else {
      const restored = asProof(outcome.proof);
      checks.push(
        keyedCheck('nodes: content and identity as restored', expected.nodes, restored?.nodes),
        keyedCheck('relationships: content and endpoints as restored', expected.relationships, restored?.relationships),
      );
      const live = await fingerprintDatabase(driver, db, 'live', ctx);
      checks.push(
        contentCheck('nodes: content now', expected.nodes, live.nodes.contentOnly()),
        contentCheck('relationships: content now', expected.relationships, live.relationships.contentOnly()),
        schemaCheck(expected.schema, await schemaStatements(driver, db)),
      );
    }
    if (manifest.consistency?.writesDetected === true) {
      notes.push('the source was written to while it was exported: the backup is not one point in time, and these checks prove '
        + 'the restore matches what the export read, not the source at any single instant');
    }
    return { checks, notes };
  });
}

/** The manifest's or the outcome's proof, when it is one this code computes the same way. */
function asProof(p: Record<string, unknown> | undefined): Neo4jProof | undefined {
  return p?.algorithm === FINGERPRINT_ALGORITHM ? (p as unknown as Neo4jProof) : undefined;
}

const fp = (count: number, sum: string): string => `${count} entities, sum ${sum}`;

function keyedCheck(check: string, expected: KindFingerprint, found: KindFingerprint | undefined): ProofCheck {
  const exp = fp(expected.count, expected.keyed);
  if (!found) return { check, ok: false, expected: exp, found: 'no fingerprint from the restore (it did not report one)' };
  return { check, ok: found.count === expected.count && found.keyed === expected.keyed, expected: exp, found: fp(found.count, found.keyed) };
}

function contentCheck(check: string, expected: KindFingerprint, found: { count: number; content: string }): ProofCheck {
  return {
    check, ok: found.count === expected.count && found.content === expected.content,
    expected: fp(expected.count, expected.content), found: fp(found.count, found.content),
  };
}

function schemaCheck(expected: string[], found: string[]): ProofCheck {
  const [e, f] = [new Set(expected), new Set(found)];
  const missing = expected.filter((s) => !f.has(s));
  const extra = found.filter((s) => !e.has(s));
  const ok = missing.length === 0 && extra.length === 0;
  const summary = (n: number): string => `${n} constraint and index statements`;
  const diff = [...missing.map((s) => `missing: ${s}`), ...extra.map((s) => `unexpected: ${s}`)].slice(0, 5).join('; ');
  return { check: 'schema', ok, expected: summary(expected.length), found: ok ? summary(found.length) : `${summary(found.length)}; ${diff}` };
}

/** One check per kind of count (per label, per type, totals), naming the first differences. */
function countChecks(expected: Counts, found: Counts): ProofCheck[] {
  const titles: Record<string, string> = { nodes: 'node counts per label', relationships: 'relationship counts per type', totals: 'total counts' };
  return Object.keys(titles).map((kind) => {
    const diffs = diffCounts({ [kind]: expected[kind] ?? {} }, { [kind]: found[kind] ?? {} });
    const render = (c: Record<string, number> = {}): string =>
      Object.entries(c).map(([k, v]) => `${k === UNLABELLED ? '(no label)' : k}=${v}`).join(', ').slice(0, 300) || 'none';
    return {
      check: titles[kind], ok: diffs.length === 0, expected: render(expected[kind]),
      found: diffs.length === 0 ? render(found[kind]) : diffs.slice(0, 5).join('; '),
    };
  });
}
