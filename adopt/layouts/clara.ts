/** The Clara backup service (seed 003): `backups/<db>/<db>_YYYYMMDD_HHMMSS.sql.gz`, plain pg_dump SQL through gzip. */
import { utcFromDigits, type Layout } from './layout';

// The folder and the file both name the database (clara, mem0); `backups/` may be the configured prefix itself.
const KEY = /(?:^|\/)([A-Za-z0-9][A-Za-z0-9_-]*)\/\1_(\d{8})_(\d{6})\.sql\.gz$/;

export const clara: Layout = {
  from: 'clara',
  recognise(key) {
    const m = KEY.exec(key);
    if (!m) return undefined;
    const takenAt = utcFromDigits(m[2]!, m[3]!);
    return takenAt && { from: 'clara', key, type: 'postgres', database: m[1]!, takenAt, format: 'pg-plain-sql', gzip: true };
  },
};
