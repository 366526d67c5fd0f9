/**
 * What tests check after talking to the stand-in: spec violations in its own responses (stand-in bugs)
 * and pitfalls in the requests it got (legal for Qdrant, but a known way to lose data).
 */
export interface Violation { at: string; request: string; status: number; problems: string[] }

export class Journal {
  readonly violations: Violation[] = [];
  readonly pitfalls: string[] = [];

  violation(v: Violation): void {
    this.violations.push(v);
    console.error(`\n!!! QDRANT STAND-IN BUG: its response to ${v.request} (status ${v.status}) breaks the Qdrant spec:\n!!!   ${v.problems.join('\n!!!   ')}\n`);
  }

  pitfall(message: string): void {
    this.pitfalls.push(message);
    console.error(`[qdrant stand-in] pitfall: ${message}`);
  }
}
