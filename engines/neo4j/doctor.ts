/** Health checks for `cairn doctor`: each names what is wrong and what to do about it. */
import neo4j, { Driver } from 'neo4j-driver';
import type { Neo4jTarget } from '../../config/types';
import type { HealthCheck } from '../engine';
import { isAuthError, isDatabaseNotFound, openDriver, safeUri, serverVersion } from './connect';

export async function doctorChecks(target: Neo4jTarget): Promise<HealthCheck[]> {
  const where = safeUri(target.uri);
  const driver = openDriver(target);
  const checks: HealthCheck[] = [];
  try {
    try {
      await driver.verifyConnectivity({ database: target.database });
      checks.push({ check: 'neo4j reachable', ok: true, detail: `${where} answered` });
      checks.push({ check: 'neo4j credentials', ok: true, detail: `user "${target.user}" logged in` });
    } catch (err) {
      if (!isAuthError(err)) {
        checks.push({
          check: 'neo4j reachable', ok: false, detail: `${where}: ${(err as Error).message}`,
          fix: `start Neo4j or correct the URI of target "${target.name}"`,
        });
        return checks;
      }
      checks.push({ check: 'neo4j reachable', ok: true, detail: `${where} answered` });
      checks.push({
        check: 'neo4j credentials', ok: false, detail: `authentication failed for user "${target.user}" on ${where}`,
        fix: `set the right user and password for target "${target.name}" in Cairn's configuration`,
      });
      return checks;
    }
    checks.push(await databaseCheck(driver, target));
    if (!checks[checks.length - 1].ok) return checks;
    checks.push(await versionCheck(driver, target.database));
    checks.push(await apocCheck(driver, target.database));
    return checks;
  } finally {
    await driver.close();
  }
}

async function databaseCheck(driver: Driver, target: Neo4jTarget): Promise<HealthCheck> {
  try {
    await driver.executeQuery('RETURN 1', {}, { database: target.database, routing: neo4j.routing.READ });
    return { check: 'neo4j database', ok: true, detail: `database "${target.database}" is online` };
  } catch (err) {
    const missing = isDatabaseNotFound(err);
    return {
      check: 'neo4j database', ok: false,
      detail: missing ? `database "${target.database}" does not exist` : `database "${target.database}": ${(err as Error).message}`,
      fix: missing ? `use an existing database name for target "${target.name}" (SHOW DATABASES lists them)` : 'check the Neo4j server log',
    };
  }
}

/** Export runs on any 5.x; restore needs 5.26+ for dynamic labels (SET n:$(...)). */
async function versionCheck(driver: Driver, database: string): Promise<HealthCheck> {
  const { version, edition } = await serverVersion(driver, database);
  const [major, minor] = version.split('.').map(Number);
  const restoreOk = major > 5 || (major === 5 && minor >= 26);
  if (major < 5) {
    return { check: 'neo4j version', ok: false, detail: `Neo4j ${version} ${edition}`, fix: 'Cairn supports Neo4j 5.x and later' };
  }
  return {
    check: 'neo4j version', ok: true,
    detail: `Neo4j ${version} ${edition}${restoreOk ? '' : ' (backups work; restoring INTO this server needs 5.26 or later)'}`,
  };
}

async function apocCheck(driver: Driver, database: string): Promise<HealthCheck> {
  const res = await driver.executeQuery(
    "SHOW FUNCTIONS YIELD name WHERE name = 'apoc.version' RETURN count(*) AS n", {}, { database, routing: neo4j.routing.READ },
  );
  const present = res.records[0].get('n').toNumber() > 0;
  let detail = 'APOC not installed (not needed: the export uses plain Cypher)';
  if (present) {
    const v = await driver.executeQuery('RETURN apoc.version() AS v', {}, { database, routing: neo4j.routing.READ });
    detail = `APOC ${String(v.records[0].get('v'))} installed (not needed by Cairn)`;
  }
  return { check: 'neo4j APOC', ok: true, detail };
}
