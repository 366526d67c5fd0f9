/**
 * A backup set: the backups one cycle took, listed in `sets/YYYY/MM/DD/<setId>.json`, so "the latest complete
 * set" (every member succeeded) can be found from the bucket alone. See FORMAT.md.
 */
import type { TargetType } from '../../config/types';
import { parseDocument } from './document';

export const SET_FORMAT = 'cairn-backup-set';
export const SET_VERSION = 1;

export interface SetMember {
  target: string;
  type: TargetType;
  status: 'success' | 'failed';
  backupId?: string;
  manifestKey?: string;
  /** when the member's data was read, as precisely as its engine can say (ISO 8601) */
  consistencyAt?: string;
  error?: string;
}

export interface BackupSet {
  format: typeof SET_FORMAT;
  version: typeof SET_VERSION;
  setId: string;
  workflowId: string;
  startedAt: string;
  finishedAt: string;
  /** every member succeeded */
  complete: boolean;
  members: SetMember[];
  /** milliseconds between the earliest and the latest consistency point of the successful members */
  skewMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const SET_ID = /^set_(\d{8})_(\d{6})_([0-9a-f]{8})$/;

/** `set_YYYYMMDD_HHMMSS_<run>`: the cycle's start in UTC, and its run (two cycles may start in the same second). */
export function setIdFor(at: Date, runId: string): string {
  const run = runId.replace(/-/g, '').slice(0, 8).toLowerCase().padEnd(8, '0');
  return `set_${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}_${run}`;
}

export function isSetId(id: string): boolean {
  return SET_ID.test(id);
}

/** `sets/YYYY/MM/DD/<setId>.json` */
export function setKey(setId: string): string {
  const m = SET_ID.exec(setId);
  if (!m) throw new Error(`'${setId}' is not a backup set id (expected set_YYYYMMDD_HHMMSS_xxxxxxxx)`);
  const d = m[1]!;
  return `sets/${d.slice(0, 4)}/${d.slice(4, 6)}/${d.slice(6, 8)}/${setId}.json`;
}

export const SETS_PREFIX = 'sets/';

export function skewOf(members: SetMember[]): number {
  const times = members.filter((m) => m.status === 'success' && m.consistencyAt).map((m) => Date.parse(m.consistencyAt!)).filter(Number.isFinite);
  return times.length ? Math.max(...times) - Math.min(...times) : 0;
}

export function parseSet(text: string, key: string): BackupSet {
  const s = parseDocument<BackupSet>(text, key, SET_FORMAT, [SET_VERSION]);
  if (!isSetId(s.setId) || !Array.isArray(s.members)) throw new Error(`${key} lacks a setId or members: not a whole backup set`);
  return s;
}
