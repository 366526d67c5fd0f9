/** Webhook bodies: Slack-compatible (`text` plus blocks) and a generic JSON document. */
import type { WebhookFormat } from '../config/ops';
import type { NotificationEvent } from './event';

const ICON: Record<NotificationEvent['outcome'], string> = { failed: ':red_circle:', breach: ':warning:', resolved: ':white_check_mark:', succeeded: ':large_green_circle:' };

export function webhookBody(format: WebhookFormat, e: NotificationEvent, links: { workflow?: string }): Record<string, unknown> {
  if (format === 'json') {
    return { source: 'cairn', version: 1, ...e, ...(links.workflow ? { workflowUrl: links.workflow } : {}) };
  }
  const targets = e.targets.map((t) => `• *${t.type ? `${t.type}/` : ''}${t.target}*${t.reason ? `: ${t.reason}` : ''}`).join('\n');
  return {
    text: `${ICON[e.outcome]} Cairn: ${e.title}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Cairn: ${e.title}`.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: (e.detail || e.title).slice(0, 2900) } },
      ...(targets ? [{ type: 'section', text: { type: 'mrkdwn', text: targets.slice(0, 2900) } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${e.kind} · ${e.outcome} · ${e.at}${links.workflow ? ` · <${links.workflow}|workflow ${e.workflowId}>` : ''}` }] },
    ],
  };
}
