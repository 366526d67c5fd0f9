/**
 * The fault suite's tally: per scenario, how many trials ran and passed, and how many backups were lost or
 * bad ones marked good (both must stay 0). Printed as a table when the suite ends.
 */
export interface Tally {
  scenario: string;
  trials: number;
  passed: number;
  lost: number;
  badMarkedGood: number;
}

/** What one trial found; a trial that throws counts as not passed. */
export interface TrialFinding {
  lost: number;
  badMarkedGood: number;
}

const tallies: Tally[] = [];

/** Trials per randomised scenario: CAIRN_FAULT_TRIALS, 20 unless set (npm test sets 2). */
export const TRIALS = Math.max(1, Number(process.env.CAIRN_FAULT_TRIALS ?? 20) || 20);

/** Seconds of the long store outage: 600 (ten minutes) unless CAIRN_FAULT_LONG_OUTAGE_S shortens it. */
export const LONG_OUTAGE_S = Math.max(10, Number(process.env.CAIRN_FAULT_LONG_OUTAGE_S ?? 600) || 600);

/**
 * Runs `trial` `trials` times, one after another, and records the scenario. Returns the tally and every
 * trial's error, so the caller's assertion names what went wrong.
 */
export async function runTrials(scenario: string, trials: number, trial: (i: number) => Promise<TrialFinding>, log: (line: string) => void = () => undefined) {
  const tally: Tally = { scenario, trials, passed: 0, lost: 0, badMarkedGood: 0 };
  tallies.push(tally);
  const errors: string[] = [];
  for (let i = 0; i < trials; i++) {
    try {
      const found = await trial(i);
      tally.lost += found.lost;
      tally.badMarkedGood += found.badMarkedGood;
      if (found.lost === 0 && found.badMarkedGood === 0) tally.passed++;
      else errors.push(`trial ${i + 1}: ${found.lost} lost, ${found.badMarkedGood} bad marked good`);
    } catch (err) {
      errors.push(`trial ${i + 1}: ${(err as Error).stack ?? String(err)}`);
    }
    log(`${scenario}: trial ${i + 1}/${trials} ${errors.length ? `(${errors.length} failed so far)` : 'ok'}`);
  }
  return { tally, errors };
}

export function summaryTable(): string {
  const head = ['scenario', 'trials', 'passed', 'lost', 'bad-marked-good'];
  const rows = tallies.map((t) => [t.scenario, String(t.trials), String(t.passed), String(t.lost), String(t.badMarkedGood)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
