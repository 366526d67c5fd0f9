/**
 * The AWS SDK's standard variables, as the Graphiti and agentic platform deployments use them: AWS_REGION,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for S3-compatible stores.
 */
import type { Settings } from '../settings';

export const AWS_KEYS = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

export function applyAws(s: Settings): void {
  s.alias('AWS_REGION', 'S3_REGION');
  s.alias('AWS_ACCESS_KEY_ID', 'MINIO_ACCESS_KEY');
  s.alias('AWS_SECRET_ACCESS_KEY', 'MINIO_SECRET_KEY');
  // The SDK's own precedence: the S3-specific endpoint wins over the global one; that is not a conflict.
  s.alias(s.has('AWS_ENDPOINT_URL_S3') ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL', 'MINIO_ENDPOINT');
}
