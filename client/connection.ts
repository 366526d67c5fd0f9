/** The one place Temporal connections are made, for the CLI, the worker and tests alike. */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config/types';
import { ConfigError } from '../config/errors';

export interface TlsSettings {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError(key, `names '${path}', which cannot be read`);
  }
}

/** TLS options shared by the client Connection and the worker's NativeConnection; undefined means plaintext. */
export function tlsSettings(config: TemporalConfig): TlsSettings | undefined {
  if (!config.tls) return undefined;
  const { certFile, keyFile, caFile, serverName } = config.tls;
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(caFile ? { serverRootCACertificate: readPem(caFile, 'TEMPORAL_TLS_CA_FILE') } : {}),
    ...(certFile && keyFile ? { clientCertPair: { crt: readPem(certFile, 'TEMPORAL_TLS_CERT_FILE'), key: readPem(keyFile, 'TEMPORAL_TLS_KEY_FILE') } } : {}),
  };
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  const tls = tlsSettings(config);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.address, ...(tls ? { tls } : {}), connectTimeout: '10 seconds' });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${config.address}: ${(err as Error).message}. Is the server running (npm run stack:up) and TEMPORAL_ADDRESS right?`);
  }
  return new Client({ connection, namespace: config.namespace });
}

export function workflowLink(config: TemporalConfig, workflowId: string, runId?: string): string {
  const base = `${config.uiUrl}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
