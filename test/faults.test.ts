/**
 * The fault-injection suite (npm run test:faults; npm test runs it reduced): workers killed at random points,
 * two workers with one killed, overlapping cycles on three workers, broken sources, a damaged bucket, the
 * store stopped mid-upload, and bad input on every surface. Every scenario counts backups lost and bad
 * ones marked good (both must be 0); the last test prints the table. Servers that are stopped are private.
 * CAIRN_FAULT_TRIALS (default 20) sets the randomised trials; CAIRN_FAULT_LONG_OUTAGE_S (default 600) the
 * long store outage.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { PostgresTarget } from '../config/types';
import { createDatabase, dropDatabase, query } from './support/pg';
import { assertDamagedBackupRefused } from './support/damaged-backup';
import { LONG_OUTAGE_S, TRIALS, runTrials, summaryTable, type TrialFinding } from './faults/ledger';
import { killDuringBackup, killOneOfTwo, MEDIUM_TABLE_SQL } from './faults/worker-kill';
import { overlappingCycles } from './faults/dump-lock';
import { killDuringRestore } from './faults/restore-kill';
import { brokenSources } from './faults/source-failures';
import { storeOutage } from './faults/store-outage';
import { postgresRestartMidDump, temporalRestartMidCycle } from './faults/server-restarts';
import { badInputScenario } from './faults/bad-input-scenario';

const created: PostgresTarget[] = [];
after(async () => { for (const db of created) await dropDatabase(db); });

async function database(prefix: string, sql: string): Promise<PostgresTarget> {
  const db = await createDatabase(prefix);
  created.push(db);
  if (sql) await query(db, sql);
  return db;
}

/** ~100 MB of poorly compressible rows: a dump that spans many 5 MiB parts and takes seconds. */
const BIG_TABLE_SQL = `CREATE TABLE big (id bigint PRIMARY KEY, payload text);
  INSERT INTO big SELECT g, encode(sha512(g::text::bytea), 'base64') || encode(sha512((g + 1)::text::bytea), 'base64') FROM generate_series(1, 400000) g;`;
const SMALL_TABLE_SQL = 'CREATE TABLE t (a int PRIMARY KEY, b text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;';

let big: PostgresTarget;
let medium: PostgresTarget;
let small: PostgresTarget;

function expectClean(scenario: { tally: { trials: number; passed: number; lost: number; badMarkedGood: number }; errors: string[] }) {
  assert.deepEqual(scenario.errors, []);
  assert.equal(scenario.tally.passed, scenario.tally.trials);
  assert.equal(scenario.tally.lost, 0);
  assert.equal(scenario.tally.badMarkedGood, 0);
}

const once = (work: () => Promise<TrialFinding | void>) => async () => ({ lost: 0, badMarkedGood: 0, ...(await work()) });

test('setup: source databases', { timeout: 300_000 }, async () => {
  [big, medium, small] = [await database('fault-big', BIG_TABLE_SQL), await database('fault-medium', MEDIUM_TABLE_SQL), await database('fault-small', SMALL_TABLE_SQL)];
});

test(`worker SIGKILLed at a random point of a backup cycle, ${TRIALS} trials`, { timeout: TRIALS * 300_000 }, async (t) => {
  expectClean(await runTrials('kill worker during backup', TRIALS, () => killDuringBackup([medium, small], 4000, (l) => t.diagnostic(l)), (l) => t.diagnostic(l)));
});

for (const purpose of ['restore', 'drill'] as const) {
  const trials = Math.ceil(TRIALS / 2);
  test(`worker SIGKILLed at a random point of a ${purpose}, ${trials} trials`, { timeout: trials * 600_000 }, async (t) => {
    expectClean(await runTrials(`kill worker during ${purpose}`, trials, () => killDuringRestore(medium, purpose, 5000, (l) => t.diagnostic(l)), (l) => t.diagnostic(l)));
  });
}

test('two workers on one queue, the one dumping killed: the other finishes', { timeout: 600_000 }, async (t) => {
  expectClean(await runTrials('two workers, one killed mid-dump', 1, () => killOneOfTwo(big, (l) => t.diagnostic(l))));
});

test('two overlapping cycles of one target on three workers never dump it concurrently', { timeout: 900_000 }, async (t) => {
  let seen = { maxConcurrentDumps: -1, busyAttempts: -1, samples: 0 };
  expectClean(await runTrials('overlapping cycles, 3 workers', 1, async () => {
    const trial = await overlappingCycles(big, 3);
    seen = trial;
    return trial;
  }));
  t.diagnostic(`${seen.samples} samples of pg_stat_activity: at most ${seen.maxConcurrentDumps} dump(s) at once; ${seen.busyAttempts} dump attempt(s) waited (TargetBusy)`);
  assert.equal(seen.maxConcurrentDumps, 1, 'one dump at a time, and a dump was seen');
  assert.ok(seen.busyAttempts >= 1, 'the second dump waited for the first, visibly');
});

test('a source with a wrong password, missing, or down fails clearly; the others succeed; the failure is recorded', { timeout: 600_000 }, async (t) => {
  expectClean(await runTrials('broken sources', 1, () => brokenSources(small, (l) => t.diagnostic(l))));
});

test('one flipped byte, one truncated object: validation and restore refuse and touch nothing', { timeout: 600_000 }, async () => {
  const source = await database('fault-damaged', SMALL_TABLE_SQL);
  const empty = await database('fault-damaged-into', '');
  expectClean(await runTrials('damaged objects in the bucket', 1, once(() => assertDamagedBackupRefused('fault-damaged', source, empty))));
});

for (const outageS of [60, LONG_OUTAGE_S]) {
  test(`the store stopped for ${outageS} s mid-upload: the cycle completes after it`, { timeout: (outageS + 900) * 1000 }, async (t) => {
    expectClean(await runTrials(`store down ${outageS} s mid-upload`, 1, () => storeOutage(big, outageS, (l) => t.diagnostic(l))));
  });
}

test('PostgreSQL (private) restarted mid-dump: the cycle completes after recovery', { timeout: 900_000 }, async (t) => {
  expectClean(await runTrials('PostgreSQL restarted mid-dump', 1, () => postgresRestartMidDump(BIG_TABLE_SQL, (l) => t.diagnostic(l))));
});

test('the Temporal server (private) restarted mid-cycle: the cycle completes after recovery', { timeout: 900_000 }, async (t) => {
  expectClean(await runTrials('Temporal restarted mid-cycle', 1, () => temporalRestartMidCycle(big, (l) => t.diagnostic(l))));
});

test('bad input on the CLI, the Temporal CLI and config: a clear error each, nothing changed', { timeout: 900_000 }, async (t) => {
  expectClean(await badInputScenario(small, (l) => t.diagnostic(l)));
});

test('summary', (t) => {
  for (const line of summaryTable().split('\n')) t.diagnostic(line);
  console.log(`\n${summaryTable()}\n`);
});
