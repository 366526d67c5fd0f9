/**
 * Sending a notification from a workflow: one activity per webhook, retried by Temporal; a webhook that stays
 * unreachable is recorded (bucket and log) and never fails the workflow that notifies.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NotificationEvent } from '../notify/event';
import { innermostMessage } from './errors';
import { bookkeeping } from './policies';

const { planNotifications, recordUndelivered } = proxyActivities<Activities>(bookkeeping);
const { sendNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function notify(event: NotificationEvent, onlyIfSuccessWanted = false): Promise<void> {
  try {
    const plan = await planNotifications();
    if (onlyIfSuccessWanted && !plan.onSuccess) return;
    await Promise.all(Array.from({ length: plan.destinations }, async (_, destination) => {
      try {
        await sendNotification({ event, destination });
      } catch (err) {
        await recordUndelivered({ event, destination, error: innermostMessage(err) }).catch(() => undefined);
      }
    }));
  } catch {
    // Notifying is best effort: the workflow's own outcome stands whatever happens here.
  }
}
