import type { Context } from 'aws-lambda';
import { parseConfig } from '../../lib/config';

export const config = parseConfig(`
targets:
  - { name: tencent-prod, vendor: tencent, regions: [ap-guangzhou], credentials: { accessKeyIdEnv: RT_TENCENT_ID, secretEnv: RT_TENCENT_SECRET } }
  - { name: kec-main, vendor: kec, regions: [cn-beijing-6], credentials: { accessKeyIdParameter: /rt/kec/ak, secretParameter: /rt/kec/sk, tokenParameter: /rt/kec/token } }
safety: { timeoutMarginMs: 30000 }
policies:
  snapshots:
    - { name: nightly, mode: enforce, schedule: { at: '02:00' } }
    - { name: trial, schedule: { every: 1h } }
`);

/** A Lambda context whose remaining time the test controls. */
export function lambdaContext(remaining: () => number = () => 900_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'cloud-fleet-automation-dev-snapshots',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:snapshots',
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    logGroupName: 'g',
    logStreamName: 's',
    getRemainingTimeInMillis: remaining,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-03-01T18:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/snapshots'],
  detail: {},
};

export const cloudEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Spot Interruption',
  source: 'cloud-automation.kec',
  account: '123456789012',
  time: '2026-03-01T18:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    vendor: 'kec',
    target: 'kec-main',
    region: 'cn-beijing-6',
    instanceId: 'i-123',
    at: '2026-03-01T18:05:00+08:00',
  },
};
