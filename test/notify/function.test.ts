import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSecret, toNotice, type IncomingEvent } from '../../lib/notify';
import { dingtalkReceiver, type Receiver } from '../support/notify-receivers';
import { failedActionEvent, reminderEvent } from './fixtures';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const TOKEN = '0123456789abcdef'.repeat(4);
const SECRET = `SEC${'a1'.repeat(32)}`;

describe('functions/notify.ts as Lambda runs it', () => {
  let rx: Receiver;
  let dir: string;
  beforeAll(async () => {
    rx = await dingtalkReceiver({ accessToken: TOKEN, secret: SECRET, now: Date.now });
    dir = mkdtempSync(join(tmpdir(), 'notify-fn-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        targets: [{ name: 'tencent-prod', vendor: 'tencent', regions: ['ap-guangzhou'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }],
        audit: { store: 'file', path: join(dir, 'audit.jsonl') },
        notifications: { language: 'en', channels: [{ name: 'oncall', type: 'dingtalk', url: { env: 'FN_DING_URL' }, secret: { env: 'FN_DING_SECRET' } }] },
      }),
    );
    process.env.AUTOMATION_CONFIG = join(dir, 'config.json');
    process.env.FN_DING_URL = rx.url;
    process.env.FN_DING_SECRET = SECRET;
  });
  afterAll(async () => {
    delete process.env.AUTOMATION_CONFIG;
    await rx.close();
  });

  it('delivers the queue batch and records the delivery in the audit trail, with no secret in it', async () => {
    const { handler } = await import('../../functions/notify');
    const event = { Records: [reminderEvent({ id: 'ins-fn1' }), failedActionEvent({ id: 'ins-fn2' })].map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })) };
    expect(await handler(event, { awsRequestId: 'req-1' } as never)).toEqual({ batchItemFailures: [] });
    expect(rx.posts).toHaveLength(2); // two runs: one message each
    const text = rx.posts.map((p) => (p.body.markdown as { text: string }).text).join('\n');
    expect(text).toContain('Action failed: delete-instance ins-fn2');
    expect(text).toContain('- Reason: due');
    const trail = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(trail.match(/"phase":"result"/g)).toHaveLength(2);
    expect(trail).not.toContain(TOKEN);
    expect(trail).not.toContain(SECRET);
  });

  it('builds its channels on each invocation: a rotated webhook (read through the parameter cache) needs no cold start', async () => {
    const { handler } = await import('../../functions/notify');
    const rotated = await dingtalkReceiver({ accessToken: 'fedcba9876543210'.repeat(4), secret: SECRET, now: Date.now });
    try {
      process.env.FN_DING_URL = rotated.url;
      const event = { Records: [{ messageId: 'm0', body: JSON.stringify(failedActionEvent({ id: 'ins-fn3' })) }] };
      expect(await handler(event, { awsRequestId: 'req-2' } as never)).toEqual({ batchItemFailures: [] });
      expect(rotated.posts).toHaveLength(1);
    } finally {
      process.env.FN_DING_URL = rx.url;
      await rotated.close();
    }
  });
});

describe('events/notify/sqs-batch.json (for `sls invoke local -f notify -p events/notify/sqs-batch.json`)', () => {
  it('holds bus events the notify function reads as notices', () => {
    const sample = JSON.parse(readFileSync(new URL('../../events/notify/sqs-batch.json', import.meta.url), 'utf8')) as { Records: { body: string }[] };
    const notices = sample.Records.map((r) => toNotice(JSON.parse(r.body) as IncomingEvent));
    expect(notices.map((n) => n.type)).toEqual(['Renewal Reminder', 'Recycle Bin Purge Warning', 'Automation Action']);
  });
});

describe('channel secrets', () => {
  it('come from env (SSM: secrets.test.ts), and a missing one names the variable, never a value', async () => {
    expect(await resolveSecret('ops', 'url', { env: 'OPS_URL' }, { env: { OPS_URL: 'https://oapi.dingtalk.com/robot/send?access_token=fromenv0123456789' } })).toContain('fromenv');
    await expect(resolveSecret('ops', 'secret', { env: 'NOPE_NOT_SET' }, { env: {} })).rejects.toThrow('notifications channel "ops": environment variable NOPE_NOT_SET (secret) is not set');
  });
});
