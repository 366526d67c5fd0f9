/** The backup API of the deployments Cairn replaces, starting and querying the same workflows as the CLI. */
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { CairnConfig, TargetType } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import { workflowLink } from '../client/connection';
import { restoreInput } from '../cli/restore';
import type { BackupStore } from '../storage/store';
import type { StatusReport } from '../status/evaluate';
import { deleteBackup } from './delete';
import { HttpError, type Reply, type Route } from './http';

export interface ApiDeps {
  config: CairnConfig;
  catalog: Catalog;
  store: BackupStore;
  temporal: Client;
  status(): Promise<StatusReport>;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');

function object(body: unknown, allowed: string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  const stray = Object.keys(body).find((k) => !allowed.includes(k));
  if (stray) throw new HttpError(400, 'invalid_body', `unknown field '${stray.slice(0, 40)}' (fields: ${allowed.join(', ')})`);
  return body as Record<string, unknown>;
}

function field<T>(o: Record<string, unknown>, key: string, kind: 'string' | 'boolean' | 'number'): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== kind) throw new HttpError(400, 'invalid_body', `field '${key}' must be a ${kind}`);
  return v as T;
}

export function apiRoutes(d: ApiDeps): Route[] {
  const { config, temporal } = d;
  const started = async (workflowType: string, prefix: string, input: unknown): Promise<Reply> => {
    const poll = await temporal.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name: config.temporal.taskQueue }, taskQueueType: 1 });
    if (!poll.pollers?.length) throw new HttpError(503, 'no_worker', `no Cairn worker is polling task queue '${config.temporal.taskQueue}'`);
    const workflowId = `${prefix}-${stamp()}-${randomUUID().slice(0, 8)}`;
    const handle = await temporal.workflow.start(workflowType, { taskQueue: config.temporal.taskQueue, workflowId, args: [input] });
    return { status: 202, json: { workflowId, runId: handle.firstExecutionRunId, url: workflowLink(config.temporal, workflowId, handle.firstExecutionRunId) } };
  };
  return [
    { method: 'POST', path: '/backup/create', pattern: /^\/backup\/create$/, access: 'write', async handle(req) {
      const body = object(await req.body(), ['targets']);
      const targets = body.targets ?? [];
      if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new HttpError(400, 'invalid_body', "field 'targets' must be a list of target names");
      const unknown = (targets as string[]).filter((t) => !config.targets.some((c) => c.name === t));
      if (unknown.length) throw new HttpError(400, 'unknown_target', `unknown target(s) ${unknown.join(', ').slice(0, 200)}; configured: ${config.targets.map((t) => t.name).join(', ')}`);
      return started('backupCycle', 'backup-cycle', targets.length ? { version: 1, targets } : { version: 1 });
    } },
    { method: 'GET', path: '/backup/list', pattern: /^\/backup\/list$/, access: 'read', async handle(req) {
      const type = req.query.get('type') ?? undefined;
      const status = req.query.get('status') ?? undefined;
      const limit = Number(req.query.get('limit') ?? 50);
      if (type && !['postgres', 'neo4j', 'qdrant'].includes(type)) throw new HttpError(400, 'invalid_query', "'type' must be postgres, neo4j or qdrant");
      if (status && !['running', 'success', 'failed'].includes(status)) throw new HttpError(400, 'invalid_query', "'status' must be running, success or failed");
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid_query', "'limit' must be a whole number from 1 to 1000");
      const target = req.query.get('target') ?? undefined;
      const rows = await d.catalog.list({ ...(type ? { type: type as TargetType } : {}), ...(status ? { status } : {}), ...(target ? { target } : {}), limit })
        .catch(() => { throw new HttpError(503, 'catalog_unavailable', 'the catalog does not answer; GET /backup/status reads the bucket instead'); });
      return { status: 200, json: { backups: rows.map((r) => ({
        backupId: r.backup_id, type: r.backup_type, target: r.target, timestamp: r.timestamp, status: r.expired_at ? 'expired' : r.status,
        sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes), checksum: r.checksum, objectKey: r.object_key, manifestKey: r.manifest_key,
        durationMs: r.duration_ms === null ? null : Number(r.duration_ms), error: r.error_message, workflowId: r.workflow_id, protected: r.backup_id.startsWith('_'),
      })) } };
    } },
    { method: 'POST', path: '/backup/restore', pattern: /^\/backup\/restore$/, access: 'write', async handle(req) {
      const b = object(await req.body(), ['version', 'type', 'target', 'backupId', 'setId', 'into', 'validateOnly', 'force', 'jobs', 'keepOwnership', 'mask']);
      if (b.version !== undefined && b.version !== 1) throw new HttpError(400, 'invalid_body', "field 'version' must be 1");
      const jobs = field<number>(b, 'jobs', 'number');
      const input = restoreInput(config, {
        ...Object.fromEntries((['type', 'target', 'backupId', 'setId', 'into'] as const).map((k) => [k, field<string>(b, k, 'string')]).filter(([, v]) => v !== undefined)),
        ...(jobs !== undefined ? { jobs: String(jobs) } : {}),
        validateOnly: field<boolean>(b, 'validateOnly', 'boolean') ?? false, force: field<boolean>(b, 'force', 'boolean') ?? false,
        keepOwnership: field<boolean>(b, 'keepOwnership', 'boolean') ?? false, mask: field<boolean>(b, 'mask', 'boolean') ?? false, wait: false, json: true,
      });
      if (typeof input === 'string') throw new HttpError(400, 'invalid_body', input.replace(/--([a-z-]+)/g, (_, f: string) => f.replace(/-([a-z])/g, (__, c: string) => c.toUpperCase())));
      return started('restoreBackup', 'restore', input);
    } },
    { method: 'DELETE', path: '/backup/{key}', pattern: /^\/backup\/([^?]+)$/, access: 'write', handle: (req) => deleteBackup(d.store, d.catalog, req.params[0]!) },
    { method: 'GET', path: '/backup/status', pattern: /^\/backup\/status$/, access: 'read', async handle() {
      const r = await d.status();
      return { status: 200, json: r };
    } },
    { method: 'POST', path: '/backup/force-sync', pattern: /^\/backup\/force-sync$/, access: 'write', async handle() {
      const id = config.backup.scheduleId;
      try {
        await temporal.schedule.getHandle(id).trigger();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw new HttpError(404, 'no_schedule', `no schedule '${id}'; create it with \`cairn schedule apply\``);
        throw err;
      }
      return { status: 202, json: { scheduleId: id, triggered: true } };
    } },
  ];
}
