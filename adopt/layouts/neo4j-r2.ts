/**
 * The Neo4j-to-R2 service (seed 001): `neo4j-backup/neo4j_YYYY-MM-DD_HH-MM-SS.cypher.gz` (`.cypher` with
 * BACKUP_COMPRESSION=false), a Cypher script. Its prefix was configurable (BACKUP_PREFIX), so the file name
 * alone decides, wherever it lies.
 */
import { utcFromDigits, type Layout } from './layout';

const KEY = /(?:^|\/)neo4j_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})\.cypher(\.gz)?$/;

export const neo4jR2: Layout = {
  from: 'neo4j-r2',
  recognise(key) {
    const m = KEY.exec(key);
    if (!m) return undefined;
    const takenAt = utcFromDigits(`${m[1]}${m[2]}${m[3]}`, `${m[4]}${m[5]}${m[6]}`);
    return takenAt && { from: 'neo4j-r2', key, type: 'neo4j', takenAt, format: 'neo4j-cypher-script', gzip: m[7] === '.gz' };
  },
};
