import type { EventPublisher } from '../lib/audit/events';
import type { FunctionUrlRequest } from '../lib/ingest/handler';
import { DynamoReplayGuard, MemoryReplayGuard, type ReplayGuard } from '../lib/ingest/replay';
import { ingestSecret } from '../lib/runtime/parameters';

// Vendor webhooks → normalised cloud events on our bus (lib/ingest/DECISIONS.md).
// The webhook parsers and the event schema (zod) load with the first request, not at init (cold start).
const ingest = () => import('../lib/ingest/handler');
let publisher: Promise<EventPublisher> | undefined;
let replay: Promise<ReplayGuard> | undefined;

async function openPublisher(): Promise<EventPublisher> {
  const busName = process.env.AUTOMATION_BUS;
  if (!busName) throw new Error('AUTOMATION_BUS is not set: the event bus the ingest puts events on');
  const [{ EventBridgeClient }, { EventBridgePublisher }] = await Promise.all([import('@aws-sdk/client-eventbridge'), import('../lib/audit/events')]);
  return new EventBridgePublisher({ client: new EventBridgeClient({}), busName });
}

/** Deployed: accepted requests are remembered in the audit table; a local run remembers in memory. */
async function openReplayGuard(): Promise<ReplayGuard> {
  const tableName = process.env.AUTOMATION_AUDIT_TABLE;
  if (!tableName || process.env.IS_LOCAL === 'true') return new MemoryReplayGuard();
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return new DynamoReplayGuard({ client: new DynamoDBClient({}), tableName });
}

const once = <T>(get: () => Promise<T> | undefined, set: (p: Promise<T> | undefined) => void, open: () => Promise<T>): Promise<T> => {
  let p = get();
  if (!p) {
    p = open();
    set(p);
    p.catch(() => set(undefined)); // a failure is retried on the next request
  }
  return p;
};

export const handler = (event: FunctionUrlRequest) =>
  Promise.all([once(() => replay, (p) => (replay = p), openReplayGuard), ingest()]).then(([guard, { handleWebhook }]) =>
    handleWebhook(event, {
      // Powertools Parameters cache (POWERTOOLS_PARAMETERS_MAX_AGE): a rotated secret lands within minutes.
      secret: () => ingestSecret(),
      publisher: () => once(() => publisher, (p) => (publisher = p), openPublisher),
      replay: guard,
    }),
  );
