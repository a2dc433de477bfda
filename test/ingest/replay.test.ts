import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { handleWebhook, type IngestDeps } from '../../lib/ingest/handler';
import { DynamoReplayGuard, REPLAY_KEY_PREFIX } from '../../lib/ingest/replay';
import { signWebhook } from '../../lib/ingest/signature';
import { startDynalite } from '../audit/dynalite-server';
import { eventBridgeClientFor, startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { EventBridgePublisher } from '../../lib/audit/events';

const secret = 'ingest-test-secret';
const now = new Date('2026-11-24T02:00:00Z');
const body = JSON.stringify({ Target: 'kec-prod', Region: 'cn-beijing-6', EventType: 'InstanceCreated', InstanceId: 'i-replay' });

// Deployed: the accepted signatures are remembered in the audit table, so two Lambda instances
// (two guards, one table) never both accept one signed request.
describe('ingest replay memory in the audit table (DynamoDB, dynalite)', () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  let bus: EventBridgeServer;
  let table: string;
  let publisher: EventBridgePublisher;
  beforeAll(async () => {
    db = await startDynalite();
    table = await db.createAuditTable();
    bus = await startEventBridgeServer();
    publisher = new EventBridgePublisher({ client: eventBridgeClientFor(bus), busName: 'cloud-automation-test', maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 });
  });
  afterAll(async () => {
    await bus.close();
    await db.close();
  });

  const instance = (): IngestDeps => ({ secret: async () => secret, publisher: async () => publisher, now: () => now, replay: new DynamoReplayGuard({ client: db.client, tableName: table }) });
  const request = { rawPath: '/kec', headers: signWebhook(secret, body, now), body, requestContext: { http: { method: 'POST' } } };

  it('four concurrent deliveries of one signed request on four instances: one 202, three 409, one event', async () => {
    const before = bus.delivered.length;
    const answers = await Promise.all([instance(), instance(), instance(), instance()].map((d) => handleWebhook(request, d)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409, 409, 409]);
    expect(bus.delivered.length - before).toBe(1);
    expect((await handleWebhook(request, instance())).statusCode).toBe(409);
  });

  it('leaves the audit trail readable: replay items are not audit records', async () => {
    // the CLI's unindexed query scans the whole table (the functions never scan), replay items included
    const store = new DynamoAuditStore({ client: db.client, tableName: table, allowScan: true });
    await expect(store.query({ function: 'auto-delete' })).resolves.toEqual([]);
    expect(REPLAY_KEY_PREFIX).toBe('ingest-replay#');
  });
});
