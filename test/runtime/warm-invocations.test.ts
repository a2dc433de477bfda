import { jest } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { openAuditStore, openEventPublisher } from '../../lib/audit';
import { sdkClientCount } from '../../lib/audit/open';
import { automationConfigSchema } from '../../lib/config/schema';
import { fanoutHandler } from '../../lib/runtime/fanout-handler';
import { lambdaContext } from '../support/sqs-server';

// What a warm container keeps between invocations (issue 20): counted, never timed.
describe('warm invocations', () => {
  const config = automationConfigSchema.parse({
    targets: [{ name: 'tc', vendor: 'tencent', regions: ['ap-guangzhou'], credentials: { accessKeyIdEnv: 'X_ID', secretEnv: 'X_SECRET' } }],
    policies: { autoDelete: [{ name: 'expiry', source: { tag: 'auto-delete-at' } }] },
  });

  it('the fan-out worker loads the config once for N SQS invocations of one container', async () => {
    const loadConfig = jest.fn(async () => config);
    const handler = fanoutHandler('auto-delete', { loadConfig });
    for (let i = 0; i < 5; i++) {
      const event = { Records: [{ messageId: `m${i}`, body: '{"v":2}', eventSource: 'aws:sqs' }] } as unknown as SQSEvent;
      expect(await handler(event, lambdaContext(() => 900_000))).toEqual({ batchItemFailures: [{ itemIdentifier: `m${i}` }] });
    }
    expect(loadConfig).toHaveBeenCalledTimes(1);
  });

  it('reuses one AWS SDK client per kind, endpoint and region across runs (audit store, event bus)', async () => {
    const before = sdkClientCount();
    for (let i = 0; i < 4; i++) {
      await openAuditStore({ kind: 'dynamodb', tableName: `t${i}`, endpoint: 'http://127.0.0.1:1', region: 'us-east-1' });
      await openEventPublisher({ kind: 'eventbridge', busName: `b${i}`, endpoint: 'http://127.0.0.1:1', region: 'us-east-1' });
    }
    expect(sdkClientCount() - before).toBe(2);
    await openAuditStore({ kind: 'dynamodb', tableName: 't', endpoint: 'http://127.0.0.1:2', region: 'us-east-1' });
    await openAuditStore({ kind: 'dynamodb', tableName: 't', endpoint: 'http://127.0.0.1:1', region: 'cn-north-1' });
    expect(sdkClientCount() - before).toBe(4);
  });
});
