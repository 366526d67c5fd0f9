/**
 * The agentic platform backup (seed 004): `backup_<db>_<YYYYMMDD_HHMMSS>.sql.gz` with its `.sha256` beside it,
 * in BACKUP_DIR or under `backups/` in S3; plain pg_dump SQL through gzip.
 */
import { utcFromDigits, type Layout } from './layout';

// The database name may hold '_' (agentic_db): the stamp is read from the end.
const KEY = /(?:^|\/)backup_([A-Za-z0-9][A-Za-z0-9_-]*)_(\d{8})_(\d{6})\.sql\.gz$/;

export const agentic: Layout = {
  from: 'agentic',
  recognise(key) {
    const m = KEY.exec(key);
    if (!m) return undefined;
    const takenAt = utcFromDigits(m[2]!, m[3]!);
    return takenAt && {
      from: 'agentic', key, type: 'postgres', database: m[1]!, takenAt, format: 'pg-plain-sql', gzip: true, sidecarKey: `${key}.sha256`,
    };
  },
};
