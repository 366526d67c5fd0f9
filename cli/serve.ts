/** `cairn serve`: the HTTP server (health, metrics, API, status page) without a worker, until SIGINT/SIGTERM. */
import type { CairnConfig } from '../config/types';
import { Catalog } from '../catalog/catalog';
import { connectClient } from '../client/connection';
import { ObjectStore } from '../storage/s3';
import { startServer } from '../server/start';

export async function serveCommand(config: CairnConfig): Promise<number> {
  const withPort = { ...config, ops: { ...config.ops, http: { ...config.ops.http, port: config.ops.http.port || 8080 } } };
  const catalog = new Catalog(config.metadata);
  const store = new ObjectStore(config.storage);
  const temporal = await connectClient(config.temporal);
  const { server } = await startServer({ config: withPort, catalog, store, temporal });
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await temporal.connection.close();
  store.destroy();
  await catalog.close();
  return 0;
}
