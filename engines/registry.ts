/** Every engine Cairn knows, by target type. A new database is one folder under engines/ plus one line here. */
import type { Target, TargetType } from '../config/types';
import type { Engine } from './engine';
import { neo4jEngine } from './neo4j';
import { postgresEngine } from './postgres';
import { qdrantEngine } from './qdrant';

export type EngineRegistry = Record<TargetType, Engine<never>>;

export const engines = {
  postgres: postgresEngine,
  neo4j: neo4jEngine,
  qdrant: qdrantEngine,
} as unknown as EngineRegistry;

export function engineFor<T extends Target>(target: T): Engine<T> {
  const engine = engines[target.type] as unknown as Engine<T> | undefined;
  if (!engine) throw new Error(`no engine for target type '${target.type}'`);
  return engine;
}
