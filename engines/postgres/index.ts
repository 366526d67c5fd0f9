/** The PostgreSQL engine: pg_dump/pg_restore custom format, counts from the dump's own snapshot. */
import type { PostgresTarget } from '../../config/types';
import type { Engine } from '../engine';
import { backupPostgres } from './backup';
import { doctorPostgres } from './doctor';
import { restoreDump } from './restore';
import { connect, countRows } from './session';
import { validateDump } from './validate';

export const postgresEngine: Engine<PostgresTarget> = {
  type: 'postgres',
  backup: backupPostgres,
  validate: validateDump,
  restore: restoreDump,
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
