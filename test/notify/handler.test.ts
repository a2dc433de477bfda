import { afterEach, describe, expect, it } from '@jest/globals';
import { FileAuditStore } from '../../lib/audit';
import { automationConfigSchema } from '../../lib/config';
import { buildChannels, handleNotify, type FailedDelivery } from '../../lib/notify';
import { dingtalkReceiver, type Receiver } from '../support/notify-receivers';
import { failedActionEvent, fakeTime, purgeEvent, reminderEvent, tempStore } from './fixtures';

let rx: Receiver | undefined;
afterEach(async () => rx?.close());

const TOKEN = 'f'.repeat(64);
const SECRET = 'SEC' + 'e'.repeat(64);

async function setup() {
  const time = fakeTime();
  rx = await dingtalkReceiver({ accessToken: TOKEN, secret: SECRET, now: time.clock });
  const config = automationConfigSchema.parse({
    targets: [{ name: 'tencent-prod', vendor: 'tencent', regions: ['ap-guangzhou'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }],
    notifications: { channels: [{ name: 'ops', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { env: 'DING_SECRET' } }] },
  });
  const path = tempStore().path; // reopened per invocation: the handler closes its store
  const failures: FailedDelivery[] = [];
  let n = 0;
  const invoke = (event: unknown) =>
    handleNotify(event, {
      config: async () => config,
      store: async () => new FileAuditStore(path, { fsync: false }),
      channels: (c) => buildChannels(c.notifications, { env: { DING_URL: rx!.url, DING_SECRET: SECRET } }),
      failures: { put: async (e) => void failures.push(...e) },
      runId: `inv-${++n}`,
      now: time.clock,
      clock: time.clock,
      sleep: time.sleep,
    });
  return { invoke, failures, time };
}

const sqs = (events: unknown[]) => ({ Records: events.map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })) });

describe('the notify function', () => {
  it('delivers an SQS batch from the bus rule as one grouped message and ignores successful actions', async () => {
    const { invoke } = await setup();
    const out = await invoke(sqs([reminderEvent(), reminderEvent(), failedActionEvent({ outcome: 'success' })]));
    expect(out.batchItemFailures).toEqual([]);
    expect(out.report).toMatchObject({ events: 3, notices: 2, ignored: 1 });
    expect(rx!.posts).toHaveLength(1);
  });

  it('takes one event invoked directly', async () => {
    const { invoke } = await setup();
    await invoke(purgeEvent());
    expect(rx!.posts).toHaveLength(1);
  });

  it('reports throttled records as batch item failures; the redelivery sends them once', async () => {
    const { invoke, failures } = await setup();
    const batch = sqs([reminderEvent({ id: 'ins-a' }), purgeEvent({ id: 'ins-b', runId: 'run-renew-1' })]);
    rx!.throttleNext(100);
    const first = await invoke(batch);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }]);
    expect(failures).toHaveLength(0);
    rx!.throttleNext(0);
    const second = await invoke(batch);
    expect(second.batchItemFailures).toEqual([]);
    await invoke(batch);
    expect(rx!.posts).toHaveLength(1);
  });
});

describe('near the invocation timeout', () => {
  it('starts no new send and reports the rest for redelivery', async () => {
    await setup(); // starts the receiver
    const time = fakeTime();
    const store = tempStore();
    const config = automationConfigSchema.parse({
      targets: [{ name: 'tencent-prod', vendor: 'tencent', regions: ['ap-guangzhou'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }],
      notifications: { channels: [{ name: 'ops', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { env: 'DING_SECRET' } }] },
    });
    const out = await handleNotify(sqs([reminderEvent({ runId: 'a' }), reminderEvent({ runId: 'b' })]), {
      config: async () => config,
      store: async () => store,
      channels: (c) => buildChannels(c.notifications, { env: { DING_URL: rx!.url, DING_SECRET: SECRET } }),
      failures: { put: async () => {} },
      runId: 'late',
      now: time.clock,
      clock: time.clock,
      sleep: time.sleep,
      shouldStop: () => rx!.posts.length >= 1,
    });
    expect(rx!.posts).toHaveLength(1);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
