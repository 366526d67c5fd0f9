/**
 * The deployments Cairn replaces, each read in its own vocabulary (see the README's "Switching from ..."
 * sections). Each module translates its variables into Cairn's keys; what a deployment backs up and whether
 * it backs up when it starts follow from which vocabulary is in use.
 */
import type { TargetType } from '../types';
import type { Settings } from '../settings';
import { AGENTIC_KEYS, applyAgentic } from './agentic';
import { AI_PLATFORM_KEYS, applyAiPlatform } from './ai-platform';
import { applyAws, AWS_KEYS } from './aws';
import { applyClara, CLARA_KEYS, databaseUrlKeys } from './clara';
import { applyGraphiti, GRAPHITI_KEYS } from './graphiti';
import { applyNeo4jR2, NEO4J_R2_KEYS } from './neo4j-r2';

export const VOCABULARY_KEYS = [...AI_PLATFORM_KEYS, ...AWS_KEYS, ...GRAPHITI_KEYS, ...NEO4J_R2_KEYS, ...CLARA_KEYS, ...AGENTIC_KEYS] as const;

export interface VocabularyOutcome {
  /** the target types the deployment backs up, when its variables say; undefined: Cairn's default (all three) */
  impliedTypes?: TargetType[];
  /** whether the deployment backed up when its service started (Clara's and the agentic platform's did) */
  backsUpOnStart: boolean;
  /**
   * the bucket is named the way AWS-S3 deployments name it (or the store is reached through the SDK's own
   * endpoint variables): no endpoint then means AWS S3, and no keys the SDK's default credential chain.
   * AWS_REGION or AWS keys alone do not count: they are often set in an operator's shell for other reasons.
   */
  awsStyleStore: boolean;
}

export function applyVocabularies(s: Settings, blankInEnv: Set<string>): VocabularyOutcome {
  // Normalise MINIO_ENDPOINT (host:port) before anything else compares another endpoint with it.
  applyAiPlatform(s);
  applyAgentic(s, blankInEnv);
  applyClara(s);
  applyNeo4jR2(s);
  applyGraphiti(s);
  applyAws(s);

  const uses = (keys: readonly string[]) => keys.some((k) => s.has(k));
  const clara = databaseUrlKeys(s).length > 0 || uses(['RESPAWN_PROTECTION_HOURS', 'FORCE_BACKUP']);
  const agentic = uses(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER_FILE', 'DB_PASSWORD_FILE']);
  const implied = new Set<TargetType>();
  if (databaseUrlKeys(s).length || agentic) implied.add('postgres');
  if (uses(['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'R2_BUCKET_NAME'])) implied.add('neo4j');
  if (s.has('S3_BACKUP_BUCKET')) { implied.add('neo4j'); implied.add('postgres'); }
  return {
    ...(implied.size ? { impliedTypes: (['postgres', 'neo4j', 'qdrant'] as TargetType[]).filter((t) => implied.has(t)) } : {}),
    backsUpOnStart: clara || agentic,
    awsStyleStore: uses(['S3_BACKUP_BUCKET', 'S3_BUCKET', 'BACKUP_S3_BUCKET', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'S3_ENDPOINT_URL', 'R2_ACCOUNT_ID']),
  };
}
