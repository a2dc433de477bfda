import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { openAuditStore } from '../../lib/audit';
import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { startDynalite } from './dynalite-server';
import { sampleRecord } from './fixtures';
import { auditStoreContract } from './store-contract';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

describe('DynamoAuditStore against dynalite: the AuditStore contract', () => {
  auditStoreContract(async () => {
    const tableName = await dynamo.createAuditTable();
    return {
      // the contract's unindexed queries are the CLI's, which may scan
      store: new DynamoAuditStore({ tableName, client: dynamo.client, allowScan: true }),
      reopen: async () => new DynamoAuditStore({ tableName, client: dynamo.client, allowScan: true }),
      rawContent: async () => JSON.stringify((await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items),
    };
  });
});

describe('DynamoAuditStore table layout', () => {
  it('keys intents and results by action key and indexes resource, run and day', async () => {
    const tableName = await dynamo.createAuditTable();
    const store = new DynamoAuditStore({ tableName, client: dynamo.client });
    const intent = sampleRecord({ at: '2026-03-01T23:59:59Z' });
    await store.putIntent(intent);
    await store.putRecord({ ...intent, phase: 'planned', outcome: 'planned' });
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    const byPhase = Object.fromEntries(Items.map((i) => [i.phase?.S, i]));
    expect(byPhase.intent).toMatchObject({
      pk: { S: intent.actionKey },
      sk: { S: 'intent' },
      resourceId: { S: intent.resourceId },
      runId: { S: 'run-1' },
      at: { S: '2026-03-01T23:59:59.000Z' },
      day: { S: '2026-03-01' },
    });
    expect(byPhase.planned?.sk?.S).toMatch(/^planned#2026-03-01T23:59:59.000Z#/);
    expect(byPhase.intent?.expiresAt).toBeUndefined(); // no retention configured: kept forever
  });

  it('with a retention, every item carries the TTL attribute: its time plus the retention, in epoch seconds', async () => {
    const tableName = await dynamo.createAuditTable();
    const store = new DynamoAuditStore({ tableName, client: dynamo.client, retentionDays: 400 });
    await store.putIntent(sampleRecord({ at: '2026-03-01T00:00:00Z' }));
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    expect(Items[0]?.expiresAt).toEqual({ N: String(Date.parse('2026-03-01T00:00:00Z') / 1000 + 400 * 86_400) });
    expect(() => new DynamoAuditStore({ tableName, client: dynamo.client, retentionDays: 0 })).toThrow(/retentionDays/);
  });

  it('an item past its TTL that DynamoDB has not deleted yet (it may take days) is gone to every read and to the ledger', async () => {
    const tableName = await dynamo.createAuditTable();
    const at = '2026-03-01T00:00:00.000Z';
    const expiry = Date.parse(at) + 90 * 86_400_000;
    const storeAt = (now: number) => new DynamoAuditStore({ tableName, client: dynamo.client, retentionDays: 90, now: () => now });
    const intent = sampleRecord({ at });
    await storeAt(Date.parse(at)).putIntent(intent);
    await storeAt(Date.parse(at)).putRecord({ ...intent, phase: 'notice', outcome: 'success' });
    const scope = { function: intent.function, target: intent.target, region: intent.region };

    const before = storeAt(expiry - 1000);
    expect((await before.get(intent.actionKey)).intent?.actionKey).toBe(intent.actionKey);
    expect(await before.query(scope)).toHaveLength(2);
    expect(await before.query({ resourceId: intent.resourceId })).toHaveLength(2);
    expect(await before.putIntent({ ...intent, runId: 'run-2' })).toBe('exists');

    const after = storeAt(expiry + 1000);
    expect(await after.get(intent.actionKey)).toEqual({});
    expect(await after.query(scope)).toEqual([]);
    expect(await after.query({ resourceId: intent.resourceId })).toEqual([]);
    expect(await after.query({ runId: 'run-1' })).toEqual([]);
    expect(await after.openIntents({ ...scope, policy: intent.policy }, '2026-01-01T00:00:00Z')).toEqual([]);
    // the key is free again, as it is once the item is deleted
    expect(await after.putIntent({ ...intent, runId: 'run-2', at: new Date(expiry + 1000).toISOString() })).toBe('written');
    expect((await after.get(intent.actionKey)).intent?.runId).toBe('run-2');
  });

  it('answers resource, run, scope and time queries from the indexes; scans only where allowed (the CLI), else says what to name', async () => {
    const tableName = await dynamo.createAuditTable();
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string };
        sent.push(`${context.commandName}${input.IndexName ? `:${input.IndexName}` : ''}`);
        return next(args);
      },
      { step: 'initialize' },
    );
    const store = new DynamoAuditStore({ tableName, client });
    await store.putIntent(sampleRecord({ resourceId: 'ins-q', at: '2026-03-02T00:00:00Z' }));
    await store.putIntent(sampleRecord({ resourceId: 'ins-r', at: '2026-03-02T01:00:00Z' }));
    sent.length = 0;
    expect(await store.query({ resourceId: 'ins-q' })).toHaveLength(1);
    expect(await store.query({ runId: 'run-1' })).toHaveLength(2);
    expect(await store.query({ since: '2026-03-01T12:00:00Z', until: '2026-03-03T00:00:00Z' })).toHaveLength(2);
    const scoped = await store.query({ function: 'auto-delete', target: 'tencent-prod', region: 'ap-guangzhou', newestFirst: true, limit: 1 });
    expect(scoped.map((r) => r.resourceId)).toEqual(['ins-r']);
    await expect(store.query({ action: 'delete-instance' })).rejects.toThrow(/never scan.*name a resource, a run, function \+ target \+ region/);
    expect(sent).toEqual(['QueryCommand:byResource', 'QueryCommand:byRun', 'QueryCommand:byDay', 'QueryCommand:byDay', 'QueryCommand:byScope']);
    const cli = new DynamoAuditStore({ tableName, client, allowScan: true });
    expect(await cli.query({ action: 'delete-instance' })).toHaveLength(2);
    expect(sent.at(-1)).toBe('ScanCommand');
    client.destroy();
  });

  it('surfaces errors other than a failed condition', async () => {
    const store = new DynamoAuditStore({ tableName: 'no-such-table', client: dynamo.client });
    await expect(store.putIntent(sampleRecord())).rejects.toThrow(/ResourceNotFound|not found|non-existent/i);
  });

  it('reads back an item another writer put, validating it', async () => {
    const tableName = await dynamo.createAuditTable();
    await dynamo.client.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' }, sk: { S: 'intent' }, record: { S: '{"phase":"intent"}' } } }),
    );
    const store = new DynamoAuditStore({ tableName, client: dynamo.client });
    await expect(store.get('k')).rejects.toThrow(/invalid audit record/);
  });

  it('is what openAuditStore gives for kind "dynamodb"', async () => {
    const tableName = await dynamo.createAuditTable();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'fake-id';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    try {
      const store = await openAuditStore({ kind: 'dynamodb', tableName, endpoint: dynamo.endpoint, region: 'us-east-1' });
      expect(store).toBeInstanceOf(DynamoAuditStore);
      const intent = sampleRecord();
      await expect(store.putIntent(intent)).resolves.toBe('written');
      await expect(store.putIntent(intent)).resolves.toBe('exists');
    } finally {
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
