/** Where a backup's objects live in the bucket, and how backup ids are formed: readable by a person, sortable. */
import type { TargetType } from '../config/types';

/**
 * Target names may contain '_' (ai_platform, agentic_db), so an id is read from both ends: the type is the first
 * field and the timestamp the last two, and whatever lies between is the target. Target names never hold '/' or
 * '.', so a key built from an id cannot leave its target's prefix.
 */
export const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
// A leading `_label_` marks a protected backup (e.g. `_deleted_<id>`, the copy `cairn forget` keeps).
const ID = /^(_[a-z0-9-]+_)?(postgres|neo4j|qdrant)_([a-z0-9][a-z0-9_-]{0,62})_(\d{8})_(\d{6})$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `<type>_<target>_YYYYMMDD_HHMMSS`, in UTC. */
export function backupIdFor(type: TargetType, target: string, at: Date): string {
  if (!TARGET_NAME.test(target)) throw new Error(`'${target}' cannot name a target in object keys (lower-case letters, digits, '_' and '-', at most 63)`);
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${type}_${target}_${date}_${time}`;
}

export interface ParsedBackupId {
  type: TargetType;
  target: string;
  at: Date;
}

export function parseBackupId(id: string): ParsedBackupId | undefined {
  const m = ID.exec(id);
  if (!m) return undefined;
  const [, , type, target, d, t] = m;
  const at = new Date(Date.UTC(+d!.slice(0, 4), +d!.slice(4, 6) - 1, +d!.slice(6, 8), +t!.slice(0, 2), +t!.slice(2, 4), +t!.slice(4, 6)));
  return { type: type as TargetType, target: target!, at };
}

/** `<type>/<target>/YYYY/MM/DD/<backupId>` — every object of a backup starts with this. */
export function backupPrefix(backupId: string): string {
  const p = parseBackupId(backupId);
  if (!p) throw new Error(`'${backupId}' is not a backup id (expected <type>_<target>_YYYYMMDD_HHMMSS)`);
  const day = `${p.at.getUTCFullYear()}/${pad(p.at.getUTCMonth() + 1)}/${pad(p.at.getUTCDate())}`;
  return `${p.type}/${p.target}/${day}/${backupId}`;
}

/** An artifact's key; `part` (e.g. a Qdrant collection) is made safe for a key segment. */
export function artifactKey(backupId: string, part: string, extension: string): string {
  const safePart = part ? '.' + encodeURIComponent(part).replace(/\./g, '%2E') : '';
  return `${backupPrefix(backupId)}${safePart}.${extension}`;
}

/** A backup id starting with `_` is protected by its name alone: retention, forget and the API never delete it. */
export function isProtectedId(backupId: string): boolean {
  return backupId.startsWith('_');
}

/** The backup id an object belongs to: its file name up to the first '.' (ids contain none). */
export function backupIdOfKey(key: string): string | undefined {
  const id = key.slice(key.lastIndexOf('/') + 1).split('.')[0]!;
  return parseBackupId(id) ? id : undefined;
}

export function manifestKey(backupId: string): string {
  return `${backupPrefix(backupId)}.manifest.json`;
}

export function sidecarKey(key: string): string {
  return `${key}.sha256`;
}

/** The sidecar's text, the format `sha256sum -c` checks: "<hex>  <file name>". */
export function sidecarText(key: string, sha256: string): string {
  return `${sha256}  ${key.slice(key.lastIndexOf('/') + 1)}\n`;
}

/** The key backup_history names as a backup's object: its artifact, or its manifest when it has several. */
export function catalogObjectKey(artifacts: { key: string }[], manifest: string): string {
  return artifacts.length === 1 ? artifacts[0]!.key : manifest;
}
