/**
 * Runs the qdrant stand-in (a Cairn test double, not Qdrant):
 *   node dist/test/qdrant-standin/main.js [--port 6333] [--data DIR] [--api-key KEY]
 * Port defaults to $QDRANT_PORT or 6333; the API key may also come from $QDRANT_STANDIN_API_KEY.
 */
import { parseArgs } from 'node:util';
import { startStandin } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, data: { type: 'string' }, 'api-key': { type: 'string' } },
  });
  const port = Number(values.port ?? process.env.QDRANT_PORT ?? 6333);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a TCP port, got ${values.port}`);
  const standin = await startStandin({
    port,
    dataDir: values.data,
    apiKey: values['api-key'] ?? process.env.QDRANT_STANDIN_API_KEY,
    log: true,
  });
  console.log(`qdrant stand-in listening on ${standin.url}`);
  console.log(`qdrant stand-in data in ${standin.dataDir}; a test double checked against Qdrant's OpenAPI spec, not Qdrant`);
  const stop = (signal: string) => {
    console.log(`qdrant stand-in: ${signal}, shutting down`);
    standin.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  console.error(`qdrant stand-in failed to start: ${err.message}`);
  process.exit(1);
});
