import type { EventPublisher } from '../lib/audit/events';
import { handleWebhook, type FunctionUrlRequest } from '../lib/ingest/handler';
import { ingestSecret } from '../lib/runtime/ssm-config';

// Vendor webhooks → normalised cloud events on our bus (lib/ingest/DECISIONS.md).
let secret: Promise<string> | undefined;
let publisher: Promise<EventPublisher> | undefined;

async function openPublisher(): Promise<EventPublisher> {
  const busName = process.env.AUTOMATION_BUS;
  if (!busName) throw new Error('AUTOMATION_BUS is not set: the event bus the ingest puts events on');
  const [{ EventBridgeClient }, { EventBridgePublisher }] = await Promise.all([import('@aws-sdk/client-eventbridge'), import('../lib/audit/events')]);
  return new EventBridgePublisher({ client: new EventBridgeClient({}), busName });
}

export const handler = (event: FunctionUrlRequest) =>
  handleWebhook(event, {
    // Read once per cold start; a failure is retried on the next request.
    secret: () => (secret ??= ingestSecret().catch((e: unknown) => ((secret = undefined), Promise.reject(e)))),
    publisher: () => (publisher ??= openPublisher().catch((e: unknown) => ((publisher = undefined), Promise.reject(e)))),
  });
