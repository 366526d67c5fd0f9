/**
 * prove(): the restored collections against what the backup recorded: exact counts, vector configuration,
 * the sampled points' content hashes, and, for an in-place restore, the aliases. A proof that was not exact
 * at backup (the collection was written to meanwhile) is reported as a note, never as a pass.
 */
import type { QdrantTarget } from '../../config/types';
import { PermanentError, type Destination, type ProofCheck, type ProofReport, type ReadContext } from '../engine';
import type { Manifest } from '../../storage/format/manifest';
import { classify, readJson, type AliasesDoc } from './artifacts';
import { canonicalJson, idKey } from './fingerprint';
import { QdrantApi } from './http';
import { hashPoints, PROOF_FORMAT, vectorConfig, type CollectionProof, type QdrantProof } from './proof';

export async function prove(dest: Destination<QdrantTarget>, manifest: Manifest, ctx: ReadContext): Promise<ProofReport> {
  const api = new QdrantApi(dest.target, ctx.signal);
  const report: ProofReport = { checks: [], notes: [] };
  const proof = manifest.proof as QdrantProof | undefined;
  if (proof !== undefined && proof.format !== PROOF_FORMAT) {
    throw new PermanentError(`the backup's proof has format ${JSON.stringify(proof.format)}, which this Cairn does not know (it reads ${PROOF_FORMAT})`);
  }
  if (!proof) {
    report.notes.push(`backup ${manifest.backupId} records no content proof (manifest version ${manifest.version}`
      + `${manifest.version >= 2 ? ', proof turned off' : ''}): only point counts were compared`);
  }
  const { snapshots, aliases } = classify(manifest.artifacts);
  const present = new Set(await api.collections());
  for (const { meta } of snapshots) {
    ctx.signal.throwIfAborted();
    const from = meta.collection;
    const to = dest.rename[from] ?? from;
    ctx.heartbeat({ collection: to, step: 'prove' });
    if (!present.has(to)) {
      report.checks.push({ check: `collection ${to} exists`, ok: false, expected: 'present', found: 'absent' });
      continue;
    }
    const recorded = proof?.collections[from];
    if (proof && !recorded) report.notes.push(`the proof has no entry for collection ${from}: only its count was compared`);
    if (recorded) report.checks.push(...(await proveCollection(api, to, recorded, report.notes)));
    else report.checks.push(countCheck(to, manifest.counts.points?.[from], await api.exactCount(to)));
  }
  if (aliases && snapshots.every((s) => (dest.rename[s.meta.collection] ?? s.meta.collection) === s.meta.collection)) {
    report.checks.push(await aliasCheck(api, await readJson<AliasesDoc>(aliases, 'cairn-qdrant-aliases/1', ctx), new Set(snapshots.map((s) => s.meta.collection))));
  }
  return report;
}

async function proveCollection(api: QdrantApi, to: string, recorded: CollectionProof, notes: string[]): Promise<ProofCheck[]> {
  const checks: ProofCheck[] = [];
  const config = canonicalJson(vectorConfig(await api.collectionInfo(to)));
  const expected = canonicalJson({ vectors: recorded.vectors, sparseVectors: recorded.sparseVectors });
  checks.push({ check: `vector config of ${to}`, ok: config === expected, expected, found: config });
  if (!recorded.exact) {
    notes.push(`collection ${to}: ${recorded.note ?? 'its proof was not exact at backup'}`);
    return checks;
  }
  checks.push(countCheck(to, recorded.points, await api.exactCount(to)));
  const found = await hashPoints(api, to, recorded.sample.map((p) => p.id));
  const differing = recorded.sample.filter((p) => found.get(idKey(p.id))?.hash !== p.hash);
  const describe = (p: { id: unknown }) => `${JSON.stringify(p.id)}${found.has(idKey(p.id as string | number)) ? ' (changed)' : ' (missing)'}`;
  checks.push({
    check: `sampled points of ${to}`,
    ok: differing.length === 0,
    expected: `${recorded.sample.length} points with the content hashes recorded at backup`,
    found: differing.length === 0
      ? `all ${recorded.sample.length} match`
      : `${differing.length} differ: ${differing.slice(0, 5).map(describe).join(', ')}${differing.length > 5 ? ', ...' : ''}`,
  });
  return checks;
}

function countCheck(to: string, expected: number | undefined, found: number): ProofCheck {
  return { check: `point count of ${to}`, ok: expected === found, expected: String(expected ?? 'unrecorded'), found: String(found) };
}

/** In place, the backed-up aliases of the restored collections must point where they did. */
async function aliasCheck(api: QdrantApi, doc: AliasesDoc, restored: Set<string>): Promise<ProofCheck> {
  const wanted = doc.aliases.filter((a) => restored.has(a.collection_name));
  const now = new Map((await api.aliases()).map((a) => [a.alias_name, a.collection_name]));
  const wrong = wanted.filter((a) => now.get(a.alias_name) !== a.collection_name);
  const show = (list: typeof wanted) => list.map((a) => `${a.alias_name} -> ${a.collection_name}`).join(', ') || 'none';
  return {
    check: 'aliases of the restored collections',
    ok: wrong.length === 0,
    expected: show(wanted),
    found: wrong.length === 0 ? show(wanted) : `missing or elsewhere: ${wrong.map((a) => `${a.alias_name} -> ${now.get(a.alias_name) ?? 'absent'}`).join(', ')}`,
  };
}
