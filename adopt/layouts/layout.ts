/** A legacy deployment's layout: which keys are its archives, and what each key says about its archive. */
import type { TargetType } from '../../config/types';
import type { Deployment, LegacyFormat } from '../../storage/format/adopted';

export interface LegacyArchive {
  from: Deployment;
  key: string;
  type: TargetType;
  /** the database the layout names (Clara's and the agentic platform's <db>); absent when it names none */
  database?: string;
  takenAt: Date;
  /** what the name says; a PostgreSQL `.dump` is confirmed by its first bytes when verified */
  format: LegacyFormat;
  /** the file is gzip over the format (.gz) */
  gzip: boolean;
  /** a `sha256sum`-style checksum file written beside it */
  sidecarKey?: string;
  /** the legacy service's own id for it (the AI platform's backup_history.backup_id is the file name's stem) */
  legacyId?: string;
}

export interface Layout {
  from: Deployment;
  /** the archive a key names, or undefined when the key is not one of this layout's archives */
  recognise(key: string): LegacyArchive | undefined;
}

/** A UTC time from 'YYYYMMDD' and 'HHMMSS' digits (the legacy services stamped their files in UTC), or undefined if no such time. */
export function utcFromDigits(d: string, t: string): Date | undefined {
  const [y, mo, da, h, mi, s] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8), t.slice(0, 2), t.slice(2, 4), t.slice(4, 6)].map(Number) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, da, h, mi, s));
  const same = at.getUTCFullYear() === y && at.getUTCMonth() === mo! - 1 && at.getUTCDate() === da && at.getUTCHours() === h
    && at.getUTCMinutes() === mi && at.getUTCSeconds() === s;
  return same ? at : undefined;
}

export const fileName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
