import { describe, expect, it } from '@jest/globals';
import { formatTime, itemMarkdown, renderNotice, routeNotice, toNotice, NotANotice } from '../../lib/notify';
import { failedActionEvent, notifications, purgeEvent, reminderEvent } from './fixtures';
import { makeActionKey } from '../../lib/audit';

describe('notices', () => {
  it('reads the engine detail and its action key; a successful action and other detail-types are not notices', () => {
    const n = toNotice(reminderEvent({ id: 'ins-1', daysLeft: 1, owner: 'bob' }));
    expect(n).toMatchObject({ type: 'Renewal Reminder', function: 'renewal-reminders', policy: 'prod-renewals', resourceId: 'ins-1', owner: 'bob', severity: 'critical', dueAt: '2026-12-01T09:00:00Z' });
    const p = toNotice(purgeEvent({ id: 'ins-rb' }));
    expect(p).toMatchObject({ function: 'recycle-bin', policy: 'bin-watch', resourceKind: 'recycle-item', severity: 'warning', owner: null });
    expect(() => toNotice(failedActionEvent({ outcome: 'success' }))).toThrow(NotANotice);
    expect(() => toNotice({ 'detail-type': 'Instance Created', detail: {} })).toThrow(NotANotice);
    const noKey = reminderEvent();
    delete (noKey.detail as Record<string, unknown>).actionKey;
    expect(() => toNotice(noKey)).toThrow(/without actionKey/);
  });

  it('takes a policy with "|" in it back out of the escaped action key', () => {
    const e = purgeEvent();
    (e.detail as Record<string, unknown>).actionKey = makeActionKey({ function: 'recycle-bin', policy: 'a|b%c', target: 't', region: 'r', resourceId: 'ins-9', action: 'warn', slot: 's' });
    expect(toNotice(e).policy).toBe('a|b%c');
  });
});

describe('templates', () => {
  it('show times in the reader zone', () => {
    expect(formatTime('2026-12-01T09:00:00Z', 'Asia/Shanghai')).toBe('2026-12-01 17:00 (UTC+08:00)');
    expect(formatTime('2026-12-01T09:00:00Z', 'Europe/London')).toBe('2026-12-01 09:00 (UTC+00:00)');
    expect(formatTime('2026-07-01T09:30:00Z', 'America/New_York')).toBe('2026-07-01 05:30 (UTC-04:00)');
  });

  it('render each detail-type in Chinese and English with what to do, and the console link from the config', () => {
    const opts = { timeZone: 'Asia/Shanghai', consoleLinks: { tencent: 'https://console.cloud.tencent.com/cvm/instance/detail?rid={region}&id={id}' } } as const;
    const zh = renderNotice(toNotice(reminderEvent({ id: 'ins-abc', name: 'db-main', daysLeft: 30 })), { ...opts, language: 'zh' });
    expect(zh.title).toBe('续费提醒:db-main (ins-abc) 30 天后到期');
    expect(zh.link?.url).toBe('https://console.cloud.tencent.com/cvm/instance/detail?rid=ap-guangzhou&id=ins-abc');
    expect(zh.severity).toBe('info');
    const en = renderNotice(toNotice(purgeEvent({ id: 'ins-rb1', purgeAt: '2026-11-25T04:30:00Z' })), { ...opts, language: 'en' });
    expect(en.title).toBe('Recycle bin purge ahead: ins-rb1');
    expect(en.todo).toBe('Restore it from the recycle bin before 2026-11-25 12:30 (UTC+08:00) if it is still needed; a purge cannot be undone.');
    expect(en.link).toBeUndefined(); // no console link configured for cecstack
    const failed = renderNotice(toNotice(failedActionEvent({ id: 'ins-x' })), { ...opts, language: 'zh' });
    expect(failed.title).toBe('操作失败:delete-instance ins-x');
    expect(failed.fields).toContainEqual(['错误', 'InvalidInstance.Locked: the instance is locked']);
    expect(failed.todo).toContain('cloud-automation audit --resource ins-x');
  });

  it('keep a tag-supplied name from breaking the markdown', () => {
    const item = renderNotice(toNotice(reminderEvent({ name: '**[boom](http://x)**' })), { language: 'en', timeZone: 'UTC' });
    expect(itemMarkdown(item)).not.toContain('[boom](http://x)');
  });
});

describe('routing', () => {
  const config = notifications({
    channels: [
      { name: 'ops', type: 'dingtalk', url: { env: 'A' } },
      { name: 'oncall', type: 'wecom', url: { env: 'B' } },
      { name: 'alice-ding', type: 'dingtalk', url: { env: 'C' } },
      { name: 'team-b', type: 'slack', url: { env: 'D' } },
    ],
    routes: [
      { match: { detailTypes: ['Renewal Reminder', 'Renewal Lapsed'] }, toOwner: true, channels: ['ops'] },
      { match: { detailTypes: ['Recycle Bin Purge Warning'] }, channels: ['ops'] },
      { match: { severities: ['critical'], functions: ['auto-delete'] }, channels: ['oncall'] },
      { match: { targets: ['tencent-b'], policies: ['prod-renewals'] }, channels: ['team-b'] },
    ],
    owners: { alice: { channels: ['alice-ding'] } },
  });

  it('sends renewal reminders to the owner, unknown owners to ops, purge warnings to ops, failures to on-call', () => {
    expect(routeNotice(toNotice(reminderEvent({ owner: 'alice' })), config)).toEqual(['alice-ding']);
    expect(routeNotice(toNotice(reminderEvent({ owner: 'carol' })), config)).toEqual(['ops']);
    expect(routeNotice(toNotice(reminderEvent({ owner: null })), config)).toEqual(['ops']);
    expect(routeNotice(toNotice(purgeEvent()), config)).toEqual(['ops']);
    expect(routeNotice(toNotice(failedActionEvent()), config)).toEqual(['oncall']);
    expect(routeNotice(toNotice(reminderEvent({ owner: 'alice', target: 'tencent-b' })), config)).toEqual(['alice-ding', 'team-b']);
  });

  it('without routes every notice goes to every channel, except the digest', () => {
    const all = notifications({ channels: [{ name: 'a', type: 'wecom', url: { env: 'A' } }, { name: 'b', type: 'wecom', url: { env: 'B' } }] });
    expect(routeNotice(toNotice(purgeEvent()), all)).toEqual(['a', 'b']);
    const digest = { 'detail-type': 'Renewal Digest', detail: { ...(reminderEvent().detail as object), owners: [], reminders: 0, lapsed: 0, date: '2026-11-24' } };
    expect(routeNotice(toNotice(digest), all)).toEqual([]);
  });
});

describe('the notifications config', () => {
  it('names the bad field and the fix, and refuses a literal secret', () => {
    expect(() => notifications({ channels: [{ name: 'x', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc' }] })).toThrow(/never the secret itself/);
    expect(() => notifications({ channels: [{ name: 'x', type: 'wecom', url: { env: 'A' } }], routes: [{ channels: ['nope'] }] })).toThrow(/unknown channel .{0,2}"nope/);
    expect(() => notifications({ channels: [{ name: 'x', type: 'wecom', url: { env: 'A' } }, { name: 'x', type: 'slack', url: { env: 'B' } }] })).toThrow(/used twice/);
    expect(() => notifications({ channels: [{ name: 'w', type: 'webhook', url: { env: 'A' } }] })).toThrow(/secret/);
    expect(notifications({ consoleLinks: { tencent: 'https://console.example/{region}/{id}' } }).consoleLinks).toEqual({ tencent: 'https://console.example/{region}/{id}' });
    expect(() => notifications({ consoleLinks: { kec: 'https://console.example/' } })).toThrow(/containing \{id\}/);
    expect(notifications({})).toMatchObject({ language: 'zh', timeZone: 'Asia/Shanghai', channels: [], maxWaitSeconds: 60 });
  });
});

describe('the loader never echoes a notification secret', () => {
  it('a literal webhook URL (it holds the access token) or secret is refused without being shown', async () => {
    const { parseConfig } = await import('../../lib/config');
    const yaml = [
      'targets: [{ name: t, vendor: tencent, regions: [ap-guangzhou], credentials: { accessKeyIdEnv: A, secretEnv: B } }]',
      'notifications:',
      '  channels:',
      '    - { name: x, type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789", secret: "SECabcdef0123456789" }',
    ].join('\n');
    let message = '';
    try {
      parseConfig(yaml);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/notifications\.channels\[0\]\.url: expected \{ env: NAME \}/);
    expect(message).not.toContain('abcdef');
    expect(message).not.toContain('oapi.dingtalk.com');
  });
});
