import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { auditStoreConfigOf, openAuditStore } from '../lib/audit/open';
import type { AutomationConfig } from '../lib/config/schema';
import type { Channel } from '../lib/notify/channels';
import type { FailedDelivery } from '../lib/notify/deliver';
import type { SlidingWindowLimiter } from '../lib/notify/limiter';
import { createLogger } from '../lib/runtime/logger';
import { configFromSsm, loadConfig } from '../lib/runtime/ssm-config';

// Notices and failed actions from our bus (through the notify queue) → DingTalk, WeCom, Feishu, Slack, e-mail, webhooks (lib/notify/).
// Delivery, rendering and the channels load with the first batch, not at init (cold start).
const notify = () => import('../lib/notify/handler');
const channelsModule = () => import('../lib/notify/channels');
const logger = createLogger('notify');
let config: Promise<AutomationConfig> | undefined;
const limiters = new Map<string, SlidingWindowLimiter>(); // per warm container: the per-minute windows hold across invocations

async function sendToFailureQueue(entries: FailedDelivery[]): Promise<void> {
  const name = process.env.NOTIFY_FAILURE_QUEUE_NAME;
  if (!name && !process.env.NOTIFY_FAILURE_QUEUE_URL) return void logger.error('undeliverable notices and no NOTIFY_FAILURE_QUEUE_NAME', { count: entries.length });
  const { GetQueueUrlCommand, SQSClient, SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({});
  // plain name in serverless.yml (sls invoke local resolves no Refs); the URL is looked up once
  const url = process.env.NOTIFY_FAILURE_QUEUE_URL ?? (process.env.NOTIFY_FAILURE_QUEUE_URL = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!);
  for (let i = 0; i < entries.length; i += 10) {
    const batch = entries.slice(i, i + 10);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: batch.map((e, j) => ({ Id: String(j), MessageBody: JSON.stringify(e) })) }));
  }
}

export const handler = async (event: unknown, context?: Context) => {
  logger.addContext(context ?? ({} as Context));
  const { handleNotify } = await notify();
  const { batchItemFailures } = await handleNotify(event, {
    // an SSM config is re-read through the parameter cache (a change lands within its age); a file once
    config: () => (configFromSsm() ? loadConfig() : (config ??= loadConfig().catch((e: unknown) => ((config = undefined), Promise.reject(e))))),
    store: (c) => openAuditStore(auditStoreConfigOf(c.audit)),
    // built per invocation: SSM secrets come from the parameter cache, so a rotated webhook lands within its age
    channels: async (c): Promise<ReadonlyMap<string, Channel>> => (await channelsModule()).buildChannels(c.notifications),
    failures: { put: sendToFailureQueue },
    runId: context?.awsRequestId ?? randomUUID(),
    limiters,
    log: (level, message, data) => logger[level](message, data ?? {}),
    // no new send with less than 30 s left: what remains is reported for redelivery
    shouldStop: () => typeof context?.getRemainingTimeInMillis === 'function' && context.getRemainingTimeInMillis() < 30_000,
  });
  return { batchItemFailures };
};
