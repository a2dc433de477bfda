import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FileAuditStore } from '../../lib/audit';
import { AUTO_DELETE_DIGEST, AUTO_DELETE_WARNING, autoDeleteDigestDetail } from '../../lib/automations/auto-delete/events';
import { RECYCLE_BIN_PURGE_DIGEST, RECYCLE_BIN_PURGE_WARNING, recycleBinPurgeDigestDetail } from '../../lib/automations/recycle-bin/events';
import { renewalEventSchemas, RENEWAL_REFUSED } from '../../lib/automations/renewal-reminders/events';
import { QUOTA_EXHAUSTED_EVENT, SNAPSHOT_EVENT_SCHEMAS, SNAPSHOT_FAILED, SNAPSHOT_READY, SNAPSHOT_STUCK } from '../../lib/automations/snapshots/events';
import { SPOT_PRICE_ALERT, SPOT_RECLAIM_ALERT } from '../../lib/automations/spot-prices/events';
import { automationConfigSchema } from '../../lib/config';
import { buildChannels, handleNotify, NOTICE_TYPES, renderNotice, routeNotice, toNotice, type IncomingEvent } from '../../lib/notify';
import { dingtalkReceiver, type Receiver } from '../support/notify-receivers';
import { fakeTime, notifications, readinessEvent, refusedEvent, tempStore, warningDigestEvent } from './fixtures';

const NEW_EVENTS: [string, () => IncomingEvent][] = [
  [RENEWAL_REFUSED, () => refusedEvent({ id: 'ins-rf1' })],
  [AUTO_DELETE_DIGEST, () => warningDigestEvent('Auto Delete Digest')],
  [RECYCLE_BIN_PURGE_DIGEST, () => warningDigestEvent('Recycle Bin Purge Digest')],
  [SNAPSHOT_READY, () => readinessEvent('ready', { id: 'snap-r' })],
  [SNAPSHOT_FAILED, () => readinessEvent('failed', { id: 'snap-f' })],
  [SNAPSHOT_STUCK, () => readinessEvent('stuck', { id: 'snap-s' })],
];

describe('the notice detail-types the functions publish', () => {
  it('are all notices for notify (a new one added to a function without notify fails here)', () => {
    const published = [
      ...Object.keys(renewalEventSchemas),
      AUTO_DELETE_WARNING,
      AUTO_DELETE_DIGEST,
      RECYCLE_BIN_PURGE_WARNING,
      RECYCLE_BIN_PURGE_DIGEST,
      ...Object.keys(SNAPSHOT_EVENT_SCHEMAS),
      QUOTA_EXHAUSTED_EVENT,
      SPOT_PRICE_ALERT,
      SPOT_RECLAIM_ALERT,
    ];
    expect([...NOTICE_TYPES].sort()).toEqual([...new Set(published)].sort());
  });

  it('test fixtures hold details the functions\' schemas accept', () => {
    expect(() => renewalEventSchemas[RENEWAL_REFUSED].parse(refusedEvent().detail)).not.toThrow();
    expect(() => autoDeleteDigestDetail.parse(warningDigestEvent('Auto Delete Digest').detail)).not.toThrow();
    expect(() => recycleBinPurgeDigestDetail.parse(warningDigestEvent('Recycle Bin Purge Digest').detail)).not.toThrow();
    for (const k of ['ready', 'failed', 'stuck'] as const) expect(() => SNAPSHOT_EVENT_SCHEMAS[SNAPSHOT_READY].parse(readinessEvent(k).detail)).not.toThrow();
  });

  it('the bus rule feeding notify (resources/notify.yml) names every one', () => {
    const yml = parse(readFileSync(new URL('../../resources/notify.yml', import.meta.url), 'utf8')) as { Resources: { NotifyRule: { Properties: { EventPattern: { $or: { 'detail-type': string[] }[] } } } } };
    const types = yml.Resources.NotifyRule.Properties.EventPattern.$or.flatMap((o) => o['detail-type']);
    expect([...types].sort()).toEqual([...NOTICE_TYPES].sort());
  });
});

describe('notices of the new detail-types', () => {
  it('carry severity, owner, due time and kind', () => {
    expect(toNotice(refusedEvent({ id: 'ins-rf1', owner: 'bob' }))).toMatchObject({ type: 'Renewal Refused', function: 'renewal-reminders', resourceId: 'ins-rf1', resourceName: 'db--rf1', owner: 'bob', severity: 'warning', dueAt: '2026-12-01T09:00:00Z', resourceKind: 'instance' });
    expect(toNotice(warningDigestEvent('Auto Delete Digest'))).toMatchObject({ function: 'auto-delete', owner: null, severity: 'info', resourceKind: 'other' });
    expect(toNotice(warningDigestEvent('Recycle Bin Purge Digest'))).toMatchObject({ function: 'recycle-bin', owner: null, severity: 'info', resourceKind: 'other' });
    expect(toNotice(readinessEvent('ready', { id: 'snap-r' }))).toMatchObject({ function: 'snapshots', resourceId: 'snap-r', resourceName: 'nightly-vol-1-snap-r', severity: 'info', resourceKind: 'snapshot' });
    expect(toNotice(readinessEvent('failed'))).toMatchObject({ severity: 'critical', resourceKind: 'snapshot' });
    expect(toNotice(readinessEvent('stuck'))).toMatchObject({ severity: 'warning', resourceKind: 'snapshot' });
  });

  it('render in Chinese and English with what to do', () => {
    const opts = { timeZone: 'Asia/Shanghai' };
    const zh = (e: IncomingEvent) => renderNotice(toNotice(e), { ...opts, language: 'zh' });
    const en = (e: IncomingEvent) => renderNotice(toNotice(e), { ...opts, language: 'en' });

    const rz = zh(refusedEvent({ id: 'ins-rf1' }));
    expect(rz.title).toBe('续费未执行:db--rf1 (ins-rf1)');
    expect(rz.fields).toEqual(expect.arrayContaining([['到期时间', '2026-12-01 17:00 (UTC+08:00)'], ['续费预算', '100.00 CNY / 1 个月'], ['续费报价', '368.64 CNY'], ['原因', 'quote 368.64 CNY exceeds renew.budget 100.00 CNY']]));
    expect(rz.todo).toContain('renew.budget');
    expect(rz.todo).toContain('手动续费');
    const re = en(refusedEvent({ id: 'ins-rf1' }));
    expect(re.title).toBe('Renewal refused: db--rf1 (ins-rf1)');
    expect(re.todo).toMatch(/raise renew\.budget.*renew it by hand/i);

    const dz = zh(warningDigestEvent('Auto Delete Digest'));
    expect(dz.title).toBe('自动删除汇总:2 台即将删除');
    expect(dz.fields).toEqual(expect.arrayContaining([['负责人 alice', 'dev-1 ins-d1 · 2026-11-25 12:00 (UTC+08:00)'], ['负责人 (无)', 'ins-d2 · 2026-11-26 12:00 (UTC+08:00)']]));
    expect(en(warningDigestEvent('Auto Delete Digest')).title).toBe('Auto-delete digest: 2 deletions ahead');
    expect(en(warningDigestEvent('Auto Delete Digest')).todo).toContain('auto-delete-at');
    expect(zh(warningDigestEvent('Recycle Bin Purge Digest')).title).toBe('回收站清理汇总:2 项即将彻底删除');
    const pe = en(warningDigestEvent('Recycle Bin Purge Digest'));
    expect(pe.title).toBe('Recycle bin digest: 2 purges ahead');
    expect(pe.todo).toContain('Restore');

    const fz = zh(readinessEvent('failed', { id: 'snap-f' }));
    expect(fz.title).toBe('快照创建失败:nightly-vol-1-snap-f (snap-f)');
    expect(fz.fields).toEqual(expect.arrayContaining([['源', 'vol-1'], ['创建时间', '2026-11-24 09:00 (UTC+08:00)']]));
    expect(fz.todo).toContain('控制台');
    const se = en(readinessEvent('stuck', { id: 'snap-s' }));
    expect(se.title).toBe('Snapshot stuck in creating: nightly-vol-1-snap-s (snap-s)');
    expect(se.todo).toMatch(/vendor console/);
    expect(en(readinessEvent('ready', { id: 'snap-r' })).title).toBe('Snapshot ready: nightly-vol-1-snap-r (snap-r)');
    expect(zh(readinessEvent('stuck', { id: 'snap-s' })).title).toBe('快照长时间未就绪:nightly-vol-1-snap-s (snap-s)');
  });

  it('route: refused renewals to the owner like reminders; digests and "ready" only where a route names them', () => {
    const all = notifications({ channels: [{ name: 'a', type: 'wecom', url: { env: 'A' } }] });
    expect(routeNotice(toNotice(refusedEvent()), all)).toEqual(['a']);
    expect(routeNotice(toNotice(readinessEvent('failed')), all)).toEqual(['a']);
    expect(routeNotice(toNotice(readinessEvent('stuck')), all)).toEqual(['a']);
    for (const e of [warningDigestEvent('Auto Delete Digest'), warningDigestEvent('Recycle Bin Purge Digest'), readinessEvent('ready')]) expect(routeNotice(toNotice(e), all)).toEqual([]);
    const routed = notifications({
      channels: [
        { name: 'ops', type: 'wecom', url: { env: 'A' } },
        { name: 'alice-ding', type: 'dingtalk', url: { env: 'B' } },
        { name: 'backups', type: 'slack', url: { env: 'C' } },
      ],
      routes: [
        { match: { detailTypes: ['Renewal Reminder', 'Renewal Refused'] }, toOwner: true, channels: ['ops'] },
        { match: { detailTypes: ['Auto Delete Digest', 'Recycle Bin Purge Digest'] }, channels: ['ops'] },
        { match: { functions: ['snapshots'] }, channels: ['backups'] },
        { match: { detailTypes: ['Snapshot Ready'] }, channels: ['backups'] },
      ],
      owners: { alice: { channels: ['alice-ding'] } },
    });
    expect(routeNotice(toNotice(refusedEvent({ owner: 'alice' })), routed)).toEqual(['alice-ding']);
    expect(routeNotice(toNotice(refusedEvent({ owner: 'carol' })), routed)).toEqual(['ops']);
    expect(routeNotice(toNotice(warningDigestEvent('Auto Delete Digest')), routed)).toEqual(['ops']);
    expect(routeNotice(toNotice(warningDigestEvent('Recycle Bin Purge Digest')), routed)).toEqual(['ops']);
    expect(routeNotice(toNotice(readinessEvent('stuck')), routed)).toEqual(['backups']);
    expect(routeNotice(toNotice(readinessEvent('ready')), routed)).toEqual(['backups']);
  });
});

describe('the notify function with the new detail-types', () => {
  let rx: Receiver | undefined;
  afterEach(async () => rx?.close());
  const TOKEN = 'a'.repeat(64);
  const SECRET = 'SEC' + 'b'.repeat(64);

  async function invoke(events: IncomingEvent[], routes?: unknown) {
    const time = fakeTime();
    rx = await dingtalkReceiver({ accessToken: TOKEN, secret: SECRET, now: time.clock });
    const config = automationConfigSchema.parse({
      targets: [{ name: 'tencent-prod', vendor: 'tencent', regions: ['ap-guangzhou'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }],
      notifications: { language: 'en', channels: [{ name: 'ops', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { env: 'DING_SECRET' } }], ...(routes !== undefined && { routes }) },
    });
    const path = tempStore().path;
    return handleNotify(
      { Records: events.map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })) },
      {
        config: async () => config,
        store: async () => new FileAuditStore(path, { fsync: false }),
        channels: (c) => buildChannels(c.notifications, { env: { DING_URL: rx!.url, DING_SECRET: SECRET } }),
        failures: { put: async () => {} },
        runId: 'inv-1',
        now: time.clock,
        clock: time.clock,
        sleep: time.sleep,
      },
    );
  }
  const text = () => rx!.posts.map((p) => String((p.body.markdown as { text: string }).text)).join('\n');

  it('delivers refused renewals and failed or stuck snapshots without any route, one message per run, most urgent first', async () => {
    const out = await invoke(NEW_EVENTS.map(([, e]) => e()));
    expect(out.report).toMatchObject({ events: 6, notices: 6 });
    expect(rx!.posts).toHaveLength(2); // the renewal run's and the snapshot run's
    const t = text();
    expect(t).toContain('Renewal refused: db--rf1 (ins-rf1)');
    expect(t).toContain('Snapshot failed: nightly-vol-1-snap-f (snap-f)');
    expect(t).toContain('Snapshot stuck in creating');
    expect(t.indexOf('Snapshot failed')).toBeLessThan(t.indexOf('Snapshot stuck'));
    expect(t).not.toContain('digest');
    expect(t).not.toContain('Snapshot ready');
  });

  it('delivers the digests and "ready" to a route that names them', async () => {
    await invoke(NEW_EVENTS.map(([, e]) => e()), [{ match: { detailTypes: ['Auto Delete Digest', 'Recycle Bin Purge Digest', 'Snapshot Ready'] }, channels: ['ops'] }]);
    const t = text();
    expect(t).toContain('Auto-delete digest: 2 deletions ahead');
    expect(t).toContain('Recycle bin digest: 2 purges ahead');
    expect(t).toContain('Snapshot ready: nightly-vol-1-snap-r (snap-r)');
    expect(t).not.toContain('Renewal refused');
  });
});
