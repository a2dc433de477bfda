import { afterEach, describe, expect, it } from '@jest/globals';
import { clearRegisteredSecrets } from '../../lib/audit/redact';
import { buildChannels } from '../../lib/notify';
import { dingtalkReceiver, feishuReceiver, sesReceiver, slackReceiver, smtpReceiver, webhookReceiver, wecomReceiver, type Receiver } from '../support/notify-receivers';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { failedActionEvent, fakeTime, harness, notifications, purgeEvent, reminderEvent } from './fixtures';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  clearRegisteredSecrets();
});
async function track<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const r = await p;
  open.push(r);
  return r;
}

const DING_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';

async function dingtalkSetup(o: { secret?: string; routes?: unknown; owners?: unknown; language?: 'zh' | 'en' } = {}) {
  const time = fakeTime();
  const rx = await track(dingtalkReceiver({ accessToken: DING_TOKEN, secret: DING_SECRET, now: time.clock }));
  const config = notifications({
    language: o.language ?? 'zh',
    channels: [{ name: 'ops-dingtalk', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { env: 'DING_SECRET' } }],
    ...(o.routes !== undefined && { routes: o.routes }),
    ...(o.owners !== undefined && { owners: o.owners }),
  });
  const channels = await buildChannels(config, { env: { DING_URL: rx.url, DING_SECRET: o.secret ?? DING_SECRET } });
  return { rx, h: harness(config, channels, time) };
}

const markdownOf = (rx: Receiver, i = 0) => (rx.posts[i]!.body.markdown as { text: string; title: string }).text;

describe('DingTalk custom robot', () => {
  it('posts a signed markdown message the robot accepts, in Chinese, in Shanghai time, with the owner @-mentioned', async () => {
    const { rx, h } = await dingtalkSetup({ owners: { alice: { mobile: '13800000001' } } });
    const report = await h.send([reminderEvent({ id: 'ins-7f3a9c01', name: 'web-01', expiresAt: '2026-12-01T09:00:00Z' })]);
    expect(report.channels['ops-dingtalk']).toMatchObject({ messages: 1, delivered: 1, failed: 0 });
    expect(rx.posts).toHaveLength(1);
    const text = markdownOf(rx);
    expect(text).toContain('续费提醒:web-01 (ins-7f3a9c01) 7 天后到期');
    expect(text).toContain('2026-12-01 17:00 (UTC+08:00)'); // 09:00Z in Asia/Shanghai
    expect(text).toContain('120.50 CNY / 1 个月');
    expect(text).toContain('automation-exempt');
    expect(text).toContain('@13800000001');
    expect(rx.posts[0]!.body.at).toEqual({ atMobiles: ['13800000001'], isAtAll: false });
  });

  it('groups a 300-instance sweep into a few messages, each within the size limit, and none is lost', async () => {
    const { rx, h } = await dingtalkSetup();
    const events = Array.from({ length: 300 }, (_, i) => reminderEvent({ id: `ins-${String(i).padStart(8, '0')}`, daysLeft: [30, 7, 1][i % 3] }));
    const report = await h.send(events);
    expect(report.channels['ops-dingtalk']!.delivered).toBe(300);
    expect(rx.posts.length).toBe(2); // one line per notice past notifications.compactAbove
    const all = rx.posts.map((p) => (p.body.markdown as { text: string }).text).join('\n');
    for (let i = 0; i < 300; i++) expect(all).toContain(`ins-${String(i).padStart(8, '0')}`);
    for (const p of rx.posts) expect(Buffer.byteLength(p.raw)).toBeLessThanOrEqual(20_000);
    // the most urgent first: 1-day reminders lead the first message; what to do is said once per message
    expect(markdownOf(rx)).toMatch(/^### 云资源通知\(300 条\) · 第 1\/2 部分\n\n- 🔴 续费提醒:web-\S+ \(ins-\d+\) 1 天后到期 · 2026-12-01 17:00 \(UTC\+08:00\)\n/);
    for (let i = 0; i < rx.posts.length; i++) expect(markdownOf(rx, i).split('automation-exempt=true').length - 1).toBe(1);
    expect((rx.posts[1]!.body.markdown as { title: string }).title).toMatch(/第 2\/\d 部分/);
  });

  it('sends nothing for a re-delivered event: delivery is keyed by the notice action key and recorded in the audit trail', async () => {
    const { rx, h } = await dingtalkSetup();
    const event = reminderEvent({ id: 'ins-once' });
    await h.send([event]);
    const again = await h.send([event, event]);
    expect(rx.posts).toHaveLength(1);
    expect(again.channels['ops-dingtalk']).toMatchObject({ messages: 0, alreadySent: 1 });
    const records = await h.store.query({ action: 'notify:ops-dingtalk' });
    expect(records.map((r) => [r.phase, r.outcome ?? null])).toEqual([
      ['intent', null],
      ['result', 'success'],
    ]);
    expect(records[1]!.details).toMatchObject({ noticeKey: (event.detail as { actionKey: string }).actionKey, channel: 'ops-dingtalk', attempt: 1 });
  });

  it('two deliveries of the same events at once send one message', async () => {
    const { rx, h } = await dingtalkSetup();
    const events = [reminderEvent(), reminderEvent()];
    const [a, b] = await Promise.all([h.send(events), h.send(events)]);
    expect(rx.posts).toHaveLength(1);
    expect(a.channels['ops-dingtalk']!.delivered + b.channels['ops-dingtalk']!.delivered).toBe(2);
  });

  it('waits out "send too fast" (130101) and retries; the clock is the test\'s', async () => {
    const { rx, h } = await dingtalkSetup();
    rx.throttleNext(1);
    const report = await h.send([reminderEvent()]);
    expect(report.channels['ops-dingtalk']!.delivered).toBe(1);
    expect(rx.requests).toBe(2);
    expect(h.time.sleeps).toContain(60_000);
  });

  it('keeps to 20 messages a minute: the 21st waits for the window instead of being refused', async () => {
    const { rx, h } = await dingtalkSetup();
    for (let run = 0; run < 21; run++) await h.send([reminderEvent({ runId: `run-${run}` })]);
    expect(rx.posts).toHaveLength(21);
    expect(rx.requests).toBe(21); // never refused
    expect(h.time.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('a wrong secret is refused by the robot (310000): fails loudly once, sends no more, and the notices go to the failure queue', async () => {
    const { rx, h } = await dingtalkSetup({ secret: 'SECwrongwrongwrongwrongwrongwrongwrong' });
    const events = [reminderEvent({ runId: 'r1' }), reminderEvent({ runId: 'r2' }), purgeEvent()];
    const report = await h.send(events);
    expect(rx.posts).toHaveLength(0);
    expect(rx.requests).toBe(1);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/ops-dingtalk.*310000 sign not match/);
    expect(report.errors[0]).not.toContain('SECwrong');
    expect(h.failures.map((f) => f.code)).toEqual(['310000', '310000', '310000']);
    expect(JSON.stringify(h.failures)).not.toContain(DING_TOKEN);
    const records = await h.store.query({ phase: 'result' });
    expect(records.every((r) => r.outcome === 'failed' && !JSON.stringify(r).includes(DING_TOKEN))).toBe(true);
  });

  it('a failed send is retried on the next delivery and then never again', async () => {
    const { rx, h } = await dingtalkSetup();
    const event = reminderEvent({ id: 'ins-retry' });
    rx.throttleNext(10); // every attempt of this invocation is throttled
    const first = await h.send([event], { retryLater: true });
    expect(rx.posts).toHaveLength(0);
    expect(first.retry).toEqual([(event.detail as { actionKey: string }).actionKey]);
    expect(h.failures).toHaveLength(0); // left to the queue's redelivery, not the failure queue
    rx.throttleNext(0);
    h.time.advance(10 * 60_000);
    await h.send([event]);
    await h.send([event]);
    expect(rx.posts).toHaveLength(1);
    const results = await h.store.query({ phase: 'result', action: 'notify:ops-dingtalk' });
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'success']);
  });
});

describe('WeCom group robot', () => {
  it('posts markdown of at most 4096 bytes; a sweep is split into several messages, all accepted', async () => {
    const time = fakeTime();
    const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const rx = await track(wecomReceiver({ key, now: time.clock }));
    const config = notifications({ language: 'en', timeZone: 'Asia/Shanghai', channels: [{ name: 'ops-wecom', type: 'wecom', url: { env: 'WECOM_URL' } }] });
    const h = harness(config, await buildChannels(config, { env: { WECOM_URL: rx.url } }), time);
    const events = Array.from({ length: 60 }, (_, i) => purgeEvent({ id: `ins-${String(i).padStart(6, '0')}` }));
    const report = await h.send(events);
    expect(report.channels['ops-wecom']).toMatchObject({ delivered: 60, failed: 0 });
    expect(rx.posts.length).toBeGreaterThan(1);
    for (const p of rx.posts) expect(Buffer.byteLength((p.body.markdown as { content: string }).content)).toBeLessThanOrEqual(4096);
    const first = (rx.posts[0]!.body.markdown as { content: string }).content;
    expect(first).toContain('Recycle bin purge ahead: ins-000000');
    expect(first).toContain('Restore it from the recycle bin before 2026-11-25 12:30 (UTC+08:00)');
  });

  it('a wrong key (93000) fails loudly once', async () => {
    const time = fakeTime();
    const rx = await track(wecomReceiver({ key: 'right-key-0000000000000000', now: time.clock }));
    const config = notifications({ channels: [{ name: 'ops-wecom', type: 'wecom', url: { env: 'WECOM_URL' } }] });
    const h = harness(config, await buildChannels(config, { env: { WECOM_URL: rx.url.replace('right-key', 'wrong-key') } }), time);
    const report = await h.send([purgeEvent({ runId: 'a' }), purgeEvent({ runId: 'b' })]);
    expect(rx.requests).toBe(1);
    expect(report.errors).toEqual([expect.stringContaining('93000 invalid webhook url')]);
    expect(report.errors[0]).not.toContain('wrong-key');
    expect(h.failures).toHaveLength(2);
  });

  it('over 20 a minute it waits for the window (45009 never seen)', async () => {
    const time = fakeTime();
    const rx = await track(wecomReceiver({ key: 'k'.repeat(20), now: time.clock }));
    const config = notifications({ compactAbove: 1000, channels: [{ name: 'w', type: 'wecom', url: { env: 'U' } }] }); // full detail: many messages
    const h = harness(config, await buildChannels(config, { env: { U: rx.url } }), time);
    const events = Array.from({ length: 400 }, (_, i) => purgeEvent({ id: `ins-${i}` }));
    const report = await h.send(events);
    expect(report.channels.w!.delivered).toBe(400);
    expect(rx.posts.length).toBeGreaterThan(20);
    expect(rx.requests).toBe(rx.posts.length);
    expect(Math.max(...time.sleeps)).toBeGreaterThan(0);
  });
});

describe('Feishu / Lark custom bot', () => {
  it('posts a signed interactive card; a wrong secret is refused with 19021', async () => {
    const time = fakeTime();
    const rx = await track(feishuReceiver({ hookToken: 'hook-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', secret: 'feishu-secret-123456', now: time.clock }));
    const config = notifications({ language: 'en', channels: [{ name: 'fs', type: 'feishu', url: { env: 'FS_URL' }, secret: { env: 'FS_SECRET' } }] });
    const ok = harness(config, await buildChannels(config, { env: { FS_URL: rx.url, FS_SECRET: 'feishu-secret-123456' } }), time);
    await ok.send([failedActionEvent({ id: 'ins-f1' })]);
    expect(rx.posts).toHaveLength(1);
    const card = rx.posts[0]!.body.card as { header: { template: string }; elements: { text: { content: string } }[] };
    expect(card.header.template).toBe('red');
    expect(card.elements[0]!.text.content).toContain('Action failed: delete-instance ins-f1');
    expect(card.elements[0]!.text.content).toContain('InvalidInstance.Locked');

    const bad = harness(config, await buildChannels(config, { env: { FS_URL: rx.url, FS_SECRET: 'not-the-secret' } }), time);
    const report = await bad.send([failedActionEvent()]);
    expect(report.errors).toEqual([expect.stringContaining('19021')]);
    expect(rx.posts).toHaveLength(1);
  });
});

describe('Slack incoming webhook', () => {
  it('posts blocks (≤ 50 per message), retries after 429 Retry-After, and stops at invalid_token', async () => {
    const time = fakeTime();
    const token = 'XXXXXXXXXXXXXXXXXXXXXXXX';
    const rx = await track(slackReceiver({ token, now: time.clock }));
    const config = notifications({ language: 'en', channels: [{ name: 'sl', type: 'slack', url: { env: 'SL' } }] });
    const h = harness(config, await buildChannels(config, { env: { SL: rx.url } }), time);
    rx.throttleNext(1);
    const report = await h.send(Array.from({ length: 120 }, (_, i) => reminderEvent({ id: `ins-s${i}`, owner: null })));
    expect(report.channels.sl!.delivered).toBe(120);
    expect(rx.posts.length).toBe(3);
    for (const p of rx.posts) expect((p.body.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    expect(time.sleeps).toContain(1000);

    const bad = harness(config, await buildChannels(config, { env: { SL: rx.url.replace(token, 'bad-token-0000000000000') } }), time);
    const r2 = await bad.send([reminderEvent(), reminderEvent({ runId: 'other' })]);
    expect(r2.errors).toEqual([expect.stringContaining('HTTP403 invalid_token')]);
  });
});

describe('generic webhook', () => {
  it('signs the JSON body with HMAC-SHA256; the receiver verifies it; a wrong secret gets 401', async () => {
    const time = fakeTime();
    const rx = await track(webhookReceiver({ secret: 'hook-secret-abcdef', now: time.clock }));
    const config = notifications({ channels: [{ name: 'hook', type: 'webhook', url: { env: 'H' }, secret: { env: 'HS' } }] });
    const h = harness(config, await buildChannels(config, { env: { H: rx.url, HS: 'hook-secret-abcdef' } }), time);
    await h.send([reminderEvent({ id: 'ins-w1' }), purgeEvent({ runId: 'run-renew-1' })]);
    expect(rx.posts).toHaveLength(1);
    const notices = rx.posts[0]!.body.notices as { key: string; title: string }[];
    expect(notices).toHaveLength(2);
    const bad = harness(config, await buildChannels(config, { env: { H: rx.url, HS: 'wrong-secret-000' } }), time);
    const r = await bad.send([reminderEvent()]);
    expect(r.errors).toEqual([expect.stringContaining('HTTP401')]);
  });
});

describe('e-mail over SMTP', () => {
  it('authenticates and sends one mail per group; a wrong password (535) fails loudly once', async () => {
    const rx = await track(smtpReceiver({ user: 'notify@example.com', password: 'smtp-pass-123' }));
    const config = notifications({
      language: 'en',
      channels: [{ name: 'mail', type: 'email', from: 'notify@example.com', to: ['ops@example.com'], transport: { kind: 'smtp', host: '127.0.0.1', port: rx.port, secure: false, user: { env: 'SU' }, password: { env: 'SP' } } }],
    });
    const h = harness(config, await buildChannels(config, { env: { SU: 'notify@example.com', SP: 'smtp-pass-123' } }));
    await h.send([reminderEvent({ id: 'ins-m1' }), reminderEvent({ id: 'ins-m2' })]);
    expect(rx.mails).toHaveLength(1);
    expect(rx.mails[0]!.to).toEqual(['ops@example.com']);
    expect(rx.mails[0]!.data).toContain('Subject: Cloud fleet notices (2)');

    const bad = harness(config, await buildChannels(config, { env: { SU: 'notify@example.com', SP: 'wrong-pass-999' } }));
    const r = await bad.send([reminderEvent(), reminderEvent({ runId: 'x' })]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/EAUTH/);
    expect(r.errors[0]).not.toContain('wrong-pass-999');
    expect(bad.failures).toHaveLength(2);
  });
});

describe('e-mail over SES (API v2)', () => {
  const sesClient = (endpoint: string, secretAccessKey: string) =>
    new SESv2Client({ endpoint, region: 'cn-test-1', credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey }, maxAttempts: 1 });

  it('sends one SigV4-signed SendEmail per group; throttling is waited out; a wrong key fails loudly once', async () => {
    const time = fakeTime();
    const rx = (await track(sesReceiver({ accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'ses-secret-key-123', region: 'cn-test-1', now: time.clock }))) as Awaited<ReturnType<typeof sesReceiver>>;
    const config = notifications({ channels: [{ name: 'mail', type: 'email', from: 'notify@example.com', to: ['ops@example.com', 'oncall@example.com'], transport: { kind: 'ses', region: 'cn-test-1' } }] });
    const h = harness(config, await buildChannels(config, { sesClient: sesClient(rx.url, 'ses-secret-key-123') }), time);
    rx.throttleNext(1);
    const report = await h.send([purgeEvent({ id: 'ins-p1' }), purgeEvent({ id: 'ins-p2' })]);
    expect(report.channels.mail).toMatchObject({ delivered: 2, messages: 1 });
    expect(rx.emails).toHaveLength(1);
    expect(rx.emails[0]).toMatchObject({ from: 'notify@example.com', to: ['ops@example.com', 'oncall@example.com'], subject: '云资源通知(2 条)' });
    expect(rx.emails[0]!.text).toContain('回收站即将彻底删除:ins-p1');
    const records = await h.store.query({ phase: 'result', action: 'notify:mail' });
    expect(records.map((r) => r.details?.messageId)).toEqual(['0100-loopback-1', '0100-loopback-1']);

    const bad = harness(config, await buildChannels(config, { sesClient: sesClient(rx.url, 'wrong-secret-key-000') }), time);
    const r = await bad.send([purgeEvent(), purgeEvent({ runId: 'other' })]);
    expect(r.errors).toEqual([expect.stringContaining('SignatureDoesNotMatch')]);
    expect(bad.failures).toHaveLength(2);
  });
});
