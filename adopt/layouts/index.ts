/** Every legacy layout `cairn adopt` knows, most specific first (a key is the first matching layout's). */
import { agentic } from './agentic';
import { aiPlatform } from './ai-platform';
import { clara } from './clara';
import type { LegacyArchive, Layout } from './layout';
import { neo4jR2 } from './neo4j-r2';

export const LAYOUTS: Layout[] = [aiPlatform, agentic, clara, neo4jR2];

export function recognise(key: string): LegacyArchive | undefined {
  for (const layout of LAYOUTS) {
    const found = layout.recognise(key);
    if (found) return found;
  }
  return undefined;
}

export type { LegacyArchive } from './layout';
