/** Notifications and the objective check: webhook delivery (one destination per call, retried by Temporal), the breach state. */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { CairnConfig } from '../config/types';
import type { Catalog } from '../catalog/catalog';
import { workflowLink } from '../client/connection';
import { httpStatus } from '../storage/s3';
import type { BackupStore } from '../storage/store';
import { collectStatus } from '../status/collect';
import type { Breach } from '../status/evaluate';
import { deliver } from '../notify/deliver';
import type { NotificationEvent } from '../notify/event';
import { webhookBody } from '../notify/message';
import { redactDeep, secretsOf } from '../notify/redact';

export const OBJECTIVE_STATE_KEY = '.cairn/objective-state.json';

export interface OpsDeps { config: CairnConfig; store: BackupStore; catalog: Catalog; temporal: Client }

export function opsActivities({ config, store, catalog, temporal }: OpsDeps) {
  const secrets = secretsOf(config);
  return {
    /** Which of Cairn's search attributes the namespace has: workflows set only those (an unknown one would fail them). */
    async registeredSearchAttributes(input: { names: string[] }): Promise<string[]> {
      try {
        const res = await temporal.connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
        return input.names.filter((n) => n in (res.customAttributes ?? {}));
      } catch {
        return [];
      }
    },

    async planNotifications(): Promise<{ destinations: number; onSuccess: boolean }> {
      return { destinations: config.ops.webhooks.length, onSuccess: config.ops.notifyOnSuccess };
    },

    async sendNotification(input: { event: NotificationEvent; destination: number }): Promise<void> {
      const hook = config.ops.webhooks[input.destination];
      if (!hook) return; // the worker's config changed since the workflow planned: nothing to send to
      const event = redactDeep(input.event, secrets);
      const body = webhookBody(hook.format, event, event.workflowId ? { workflow: workflowLink(config.temporal, event.workflowId) } : {});
      await deliver(hook, body);
      Context.current().log.info('notification delivered', { destination: hook.label, kind: event.kind, outcome: event.outcome });
    },

    /** A webhook that stayed unreachable: the event is kept in the bucket and logged, the workflow carries on. */
    async recordUndelivered(input: { event: NotificationEvent; destination: number; error: string }): Promise<string> {
      const label = config.ops.webhooks[input.destination]?.label ?? `webhook ${input.destination + 1}`;
      const key = `notifications/undelivered/${input.event.at.slice(0, 10).replace(/-/g, '/')}/${input.event.at.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}.json`;
      const record = redactDeep({ destination: label, error: input.error, event: input.event }, secrets);
      await store.ensureBucket();
      await store.putText(key, JSON.stringify(record, null, 2) + '\n', 'application/json');
      Context.current().log.warn('notification undelivered', { destination: label, error: record.error, key });
      return key;
    },

    /** The status rules now, and which breaches were already notified (kept in the bucket between runs). */
    async evaluateObjectives(): Promise<{ breaches: Breach[]; notified: string[] }> {
      const report = await collectStatus({ config, catalog, store, temporal });
      let notified: string[] = [];
      try {
        notified = (JSON.parse(await store.getText(OBJECTIVE_STATE_KEY)) as { notified: string[] }).notified;
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
      return { breaches: report.targets.flatMap((t) => t.breaches), notified };
    },

    async saveObjectiveState(input: { notified: string[] }): Promise<void> {
      await store.ensureBucket();
      await store.putText(OBJECTIVE_STATE_KEY, JSON.stringify({ notified: input.notified, at: new Date().toISOString() }) + '\n', 'application/json');
    },
  };
}
