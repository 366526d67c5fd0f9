/**
 * The AI platform backup service (seed 002): `<type>/YYYY/MM/DD/<type>_YYYYMMDD_HHMMSS.{dump,snapshot}` —
 * pg_dump custom format, a neo4j-admin dump, a Qdrant collection snapshot. Its checksums are in its own
 * backup_history table (backup_id = the file name's stem), not beside the file.
 */
import type { TargetType } from '../../config/types';
import type { LegacyFormat } from '../../storage/format/adopted';
import { utcFromDigits, type Layout } from './layout';

const KEY = /(?:^|\/)(postgres|neo4j|qdrant)\/(\d{4})\/(\d{2})\/(\d{2})\/((postgres|neo4j|qdrant)_(\d{8})_(\d{6}))\.(dump|snapshot)$/;
const FORMAT: Record<TargetType, [LegacyFormat, string]> = {
  postgres: ['pg-custom', 'dump'], neo4j: ['neo4j-admin-dump', 'dump'], qdrant: ['qdrant-snapshot', 'snapshot'],
};

export const aiPlatform: Layout = {
  from: 'ai-platform',
  recognise(key) {
    const m = KEY.exec(key);
    if (!m) return undefined;
    const [, folder, y, mo, d, stem, type, date, time, ext] = m;
    const [format, wantExt] = FORMAT[type as TargetType];
    // The folder and the day are the file's own: anything else is not this service's doing.
    if (folder !== type || ext !== wantExt || `${y}${mo}${d}` !== date) return undefined;
    const takenAt = utcFromDigits(date!, time!);
    return takenAt && { from: 'ai-platform', key, type: type as TargetType, takenAt, format, gzip: false, legacyId: stem! };
  },
};
