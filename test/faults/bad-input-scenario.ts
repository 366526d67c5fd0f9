/** Runs every bad-input case against a queue with one good backup and a non-empty database beside it. */
import { connectClient } from '../../client/connection';
import type { PostgresTarget } from '../../config/types';
import { createDatabase, dropDatabase, fingerprint, query } from '../support/pg';
import { runCycle } from '../support/cycle';
import { badInputCases, snapshot } from './bad-input';
import { faultQueue, postgresEntries } from './queue';
import { runTrials } from './ledger';

export async function badInputScenario(source: PostgresTarget, log: (l: string) => void) {
  const occupied = await createDatabase('fault-occupied');
  await query(occupied, "CREATE TABLE keep (x text); INSERT INTO keep VALUES ('precious');");
  const queue = faultQueue('fault-input', postgresEntries([source]));
  const client = await connectClient(queue.config.temporal);
  try {
    await queue.startWorker();
    const cycle = await runCycle(client, queue.config);
    if (cycle.failed) throw new Error(`the setup backup failed: ${cycle.error}`);
    const cases = badInputCases(client, queue, source.name, occupied.database);
    if (cases.length < 40) throw new Error(`only ${cases.length} bad-input cases`);
    let i = 0;
    return await runTrials(`bad input (${cases.length} cases)`, cases.length, async () => {
      const c = cases[i++]!;
      const before = await snapshot(queue, source.database, occupied.database) + JSON.stringify(await fingerprint(occupied));
      const said = await c.run();
      const after = await snapshot(queue, source.database, occupied.database) + JSON.stringify(await fingerprint(occupied));
      const firstLine = said.split('\n').find((l) => l.trim()) ?? '';
      log(`${c.surface} / ${c.name}: ${firstLine.slice(0, 200)}`);
      if (!c.says.test(said)) throw new Error(`${c.surface} / ${c.name}: the error does not say ${c.says}: ${said.slice(0, 500)}`);
      if (before !== after) throw new Error(`${c.surface} / ${c.name}: something changed:\nbefore ${before}\nafter  ${after}`);
      // A bad input that was refused changes nothing; a good backup it sat beside stays good.
      return { lost: 0, badMarkedGood: 0 };
    });
  } finally {
    await client.connection.close();
    await queue.stopAll();
    await dropDatabase(occupied);
  }
}
