/** The PostgreSQL engine: pg_dump/pg_restore custom format, counts from the dump's own snapshot. */
import type { PostgresTarget } from '../../config/types';
import { PermanentError, type Engine } from '../engine';
import { backupPostgres } from './backup';
import { doctorPostgres } from './doctor';
import { restoreDump } from './restore';
import { connect, countRows } from './session';
import { validateDump } from './validate';

export const postgresEngine: Engine<PostgresTarget> = {
  type: 'postgres',
  backup: backupPostgres,
  validate: validateDump,
  // Interim, until this engine's restore/proof work lands: restore keeps its old behaviour, the rest refuses clearly.
  restore: async (dest, manifest, ctx) => { await restoreDump(dest.target, manifest.artifacts, ctx); return { notes: [] }; },
  destination: () => { throw new PermanentError('postgres restore destinations are not implemented yet'); },
  inspect: () => Promise.reject(new PermanentError('postgres inspect is not implemented yet')),
  prove: () => Promise.reject(new PermanentError('postgres restore proof is not implemented yet')),
  drop: () => Promise.reject(new PermanentError('postgres drop is not implemented yet')),
  smoke: () => Promise.reject(new PermanentError('postgres smoke checks are not implemented yet')),
  query: () => Promise.reject(new PermanentError('postgres drill checks are not implemented yet')),
  async count(target) {
    const client = await connect(target);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const tables = await countRows(client);
      await client.query('COMMIT');
      return { tables };
    } finally {
      await client.end();
    }
  },
  doctor: doctorPostgres,
};
