/** Re-creating exported constraints and indexes, and waiting for them to come online. */
import type { Session } from 'neo4j-driver';
import type { ReadContext } from '../engine';
import type { SchemaLine } from './artifact';

const POLL_MS = 2000;

/** Runs each exported create statement as is; they carry names and index options, so nothing is re-derived. */
export async function createSchema(session: Session, schema: SchemaLine[]): Promise<void> {
  for (const s of schema) {
    try {
      await session.run(s.create);
    } catch (err) {
      // A uniqueness constraint fails here when an online export caught a value moving between nodes.
      throw new Error(`re-creating ${s.kind} "${s.name}" failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Polls index population with heartbeats, rather than one long db.awaitIndexes() call that would
 * look like a dead activity on a big graph; db.awaitIndexes() then confirms.
 */
export async function awaitIndexes(session: Session, ctx: ReadContext): Promise<void> {
  for (;;) {
    if (ctx.signal.aborted) throw new Error('neo4j restore cancelled while indexes were populating');
    const res = await session.run('SHOW INDEXES YIELD name, state, populationPercent RETURN name, state, populationPercent');
    const states = res.records.map((r) => ({ name: r.get('name') as string, state: r.get('state') as string, pct: r.get('populationPercent') as number }));
    const failed = states.filter((s) => s.state === 'FAILED');
    if (failed.length) throw new Error(`index population failed for ${failed.map((s) => s.name).join(', ')} (see SHOW INDEXES)`);
    const pending = states.filter((s) => s.state !== 'ONLINE');
    if (pending.length === 0) break;
    ctx.heartbeat({ phase: 'indexes', populating: pending.map((s) => `${s.name} ${s.pct}%`) });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await session.run('CALL db.awaitIndexes(300)');
}
