/** The PostgreSQL engine: pg_dump/pg_restore custom format, counts and fingerprints from the dump's own snapshot. */
import type { PostgresTarget } from '../../config/types';
import type { Engine } from '../engine';
import { adoptedProof, orAdopted } from '../adopted';
import { backupPostgres } from './backup';
import { destinationPostgres } from './destination';
import { doctorPostgres } from './doctor';
import { dropPostgres, inspectPostgres, queryPostgres, smokePostgres } from './drill';
import { postgresMasking } from './mask';
import { provePostgres } from './prove';
import { restorePostgres } from './restore';
import { connect, countRows } from './session';
import { validateDump } from './validate';

export const postgresEngine: Engine<PostgresTarget> = {
  type: 'postgres',
  backup: backupPostgres,
  validate: orAdopted(validateDump),
  destination: destinationPostgres,
  inspect: inspectPostgres,
  restore: restorePostgres,
  verifiesWhileRestoring: true,
  prove: (dest, manifest) => (manifest.adopted ? Promise.resolve(adoptedProof(manifest)) : provePostgres(dest, manifest)),
  drop: dropPostgres,
  smoke: smokePostgres,
  query: queryPostgres,
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
  masking: postgresMasking,
};
