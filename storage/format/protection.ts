/**
 * A protection marker: `<backupId>.protected.json` beside a backup's manifest. While it exists, retention,
 * `cairn forget` and every other deletion leave the backup alone. It lives in the bucket (not only in the
 * catalog) so that protection survives losing the metadata database. See FORMAT.md.
 */
import { backupPrefix } from '../layout';

export const PROTECTION_FORMAT = 'cairn-backup-protection';
export const PROTECTION_VERSION = 1;

export interface ProtectionMarker {
  format: typeof PROTECTION_FORMAT;
  version: typeof PROTECTION_VERSION;
  backupId: string;
  protectedAt: string;
  /** why, in the operator's words (e.g. "before the v3 schema migration") */
  reason: string;
}

export function protectionKey(backupId: string): string {
  return `${backupPrefix(backupId)}.protected.json`;
}

export function parseProtection(text: string, key: string): ProtectionMarker {
  let m: ProtectionMarker;
  try {
    m = JSON.parse(text) as ProtectionMarker;
  } catch (err) {
    throw new Error(`${key} is not valid JSON: ${(err as Error).message}`);
  }
  if (m?.format !== PROTECTION_FORMAT) throw new Error(`${key} is not a Cairn protection marker (format ${JSON.stringify(m?.format)})`);
  if (m.version !== PROTECTION_VERSION) throw new Error(`${key} is a protection marker of version ${m.version}, which this Cairn does not read; upgrade Cairn`);
  if (typeof m.backupId !== 'string') throw new Error(`${key} lacks a backupId: not a whole protection marker`);
  return m;
}
