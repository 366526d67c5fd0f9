/**
 * Registers Cairn's search attributes on the namespace (`cairn doctor` does it; on the dev server and any
 * cluster whose operator API allows it). Where it is not allowed, README lists the `temporal operator` lines.
 */
import type { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { CAIRN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

// temporal.api.enums.v1.IndexedValueType
const INDEXED: Partial<Record<SearchAttributeType, number>> = { [SearchAttributeType.KEYWORD]: 2, [SearchAttributeType.KEYWORD_LIST]: 7 };

/** Creates the missing ones; returns their names (empty when all existed). */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const existing = (await client.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const missing = Object.values(CAIRN_SEARCH_ATTRIBUTES).filter((k) => !(k.name in existing));
  if (!missing.length) return [];
  await client.connection.operatorService.addSearchAttributes({
    namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]!])),
  });
  return missing.map((k) => k.name);
}
