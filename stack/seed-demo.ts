/** Seeds a little demo data into every configured target (idempotent), so `npm run demo` has something to back up. */
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import { loadConfig } from '../config/load';
import type { Neo4jTarget, PostgresTarget, QdrantTarget } from '../config/types';

async function seedPostgres(t: PostgresTarget): Promise<string> {
  const client = new Client({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS demo_orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric(10, 2), placed timestamptz DEFAULT now())`);
    await client.query(`INSERT INTO demo_orders (customer, amount) SELECT 'customer ' || g, g * 1.25 FROM generate_series(1, 1000) g WHERE NOT EXISTS (SELECT 1 FROM demo_orders)`);
    const n = (await client.query<{ n: string }>('SELECT count(*) AS n FROM demo_orders')).rows[0]!.n;
    return `postgres/${t.name}: demo_orders has ${n} rows`;
  } finally {
    await client.end();
  }
}

async function seedNeo4j(t: Neo4jTarget): Promise<string> {
  const driver = neo4j.driver(t.uri, neo4j.auth.basic(t.user, t.password));
  try {
    const session = driver.session({ database: t.database });
    try {
      await session.run(`UNWIND range(1, 50) AS i
        MERGE (p:DemoPerson {id: i}) SET p.name = 'person ' + i, p.joined = date('2024-01-01') + duration({days: i})
        WITH p, i WHERE i > 1
        MATCH (prev:DemoPerson {id: i - 1}) MERGE (prev)-[:KNOWS {since: 2020 + i % 5}]->(p)`);
      const n = (await session.run('MATCH (p:DemoPerson) RETURN count(p) AS n')).records[0]!.get('n');
      return `neo4j/${t.name}: ${n} DemoPerson nodes`;
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

async function seedQdrant(t: QdrantTarget): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(t.apiKey ? { 'api-key': t.apiKey } : {}) };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ result: unknown }>;
  };
  const { result } = await call('GET', '/collections');
  if (!(result as { collections: { name: string }[] }).collections.some((c) => c.name === 'demo_docs')) {
    await call('PUT', '/collections/demo_docs', { vectors: { size: 4, distance: 'Cosine' } });
    const points = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, vector: [Math.sin(i), Math.cos(i), i / 200, 1], payload: { title: `doc ${i + 1}` } }));
    await call('PUT', '/collections/demo_docs/points?wait=true', { points });
  }
  return `qdrant/${t.name}: collection demo_docs seeded`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  for (const t of config.targets) {
    const line = t.type === 'postgres' ? await seedPostgres(t) : t.type === 'neo4j' ? await seedNeo4j(t) : await seedQdrant(t);
    console.log(`  ${line}`);
  }
}

main().catch((err) => {
  console.error(`seeding failed: ${(err as Error).message}`);
  process.exit(1);
});
