/**
 * Cairn's custom search attributes, so "every failed backup of target X this month" is one Web UI filter:
 *   CairnKind = 'backup' AND CairnTarget = 'app' AND CairnOutcome = 'failed' AND StartTime > '2026-11-01T00:00:00Z'
 * They must exist on the namespace first (README: `temporal operator search-attribute create`); workflows set
 * only those that exist, so a cluster without them still runs every workflow. Names and ids only, never secrets.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CAIRN_SEARCH_ATTRIBUTES = {
  CairnKind: defineSearchAttributeKey('CairnKind', SearchAttributeType.KEYWORD),
  CairnTarget: defineSearchAttributeKey('CairnTarget', SearchAttributeType.KEYWORD_LIST),
  CairnType: defineSearchAttributeKey('CairnType', SearchAttributeType.KEYWORD_LIST),
  CairnOutcome: defineSearchAttributeKey('CairnOutcome', SearchAttributeType.KEYWORD),
  CairnBackupId: defineSearchAttributeKey('CairnBackupId', SearchAttributeType.KEYWORD_LIST),
};

export type CairnAttribute = keyof typeof CAIRN_SEARCH_ATTRIBUTES;
