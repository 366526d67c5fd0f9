/**
 * Validation of a backup checked as it streamed into the store (CAIRN_VERIFY=stream): no second full pass where
 * the store proved integrity itself. Per artifact, the manifest's checks then say what ran: the engine's
 * structural check on the stream, the SHA-256 computed on the stream, and the store's receipt (per-part SHA-256
 * verified on receipt, size and composite checksum it reports). A store that gives no receipt (a directory) has
 * its object read back for size and SHA-256: a local read. Anything not checked in flight (an engine without a
 * stream check, an archive version the walk does not know, an encrypted artifact whose age header the read-back
 * checks) is validated by reading back, as with CAIRN_VERIFY=readback.
 */
import type { ArtifactRecord } from '../engines/engine';
import type { BackupStore } from '../storage/store';
import { verifyWhole } from '../storage/verified-read';
import { activityTools } from './context';

/** Whether every artifact was checked structurally in flight (and none needs its age header read back). */
export function checkedInFlight(artifacts: ArtifactRecord[]): boolean {
  return artifacts.length > 0 && artifacts.every((a) => a.inFlight?.structure && !a.encryption);
}

export async function completeStreamChecks(store: BackupStore, artifacts: ArtifactRecord[]): Promise<string[]> {
  const tools = activityTools();
  const checks: string[] = [];
  for (const a of artifacts) {
    checks.push(`${a.key}: ${a.inFlight!.structure!}`, `${a.key}: sha256 computed on the upload stream`);
    if (a.inFlight!.store.length) {
      checks.push(...a.inFlight!.store.map((c) => `${a.key}: ${c}`));
      continue;
    }
    let bytes = 0;
    await verifyWhole(store, a, tools.signal, (n) => { bytes += n; tools.heartbeat({ phase: 'verifying', bytesRead: bytes }); });
    checks.push(`size and sha256 of ${a.key} (read back: the store gives no receipt)`);
  }
  return checks;
}
