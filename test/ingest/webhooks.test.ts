import { normaliseWebhook } from '../../lib/ingest/webhooks';

describe('vendor webhook normalisation', () => {
  it('maps each vendor vocabulary and time format to our cloud event (UTC ISO times)', () => {
    expect(normaliseWebhook('kec', { Target: 'kec-prod', Region: 'cn-beijing-6', EventType: 'SpotRecycling', InstanceId: 'i-1', EventTime: '2026-11-24 10:05:00' })).toEqual({
      ok: true,
      event: {
        source: 'cloud-automation.kec',
        detailType: 'Spot Interruption',
        detail: { vendor: 'kec', target: 'kec-prod', region: 'cn-beijing-6', instanceId: 'i-1', at: '2026-11-24T02:05:00.000Z' },
      },
    });
    const ali = normaliseWebhook('alibaba', { Target: 'a', RegionId: 'r', EventName: 'Instance:Deleted', InstanceId: 'i-2', EventTime: '2026-11-24T02:00Z' });
    expect(ali).toMatchObject({ ok: true, event: { detailType: 'Instance Deleted', detail: { region: 'r', at: '2026-11-24T02:00:00.000Z' } } });
    const cec = normaliseWebhook('cecstack', { target: 'c', region: 'region0', eventType: 'instance.created', instanceId: 'ecs-1' });
    expect(cec).toMatchObject({ ok: true, event: { source: 'cloud-automation.cecstack', detailType: 'Instance Created' } });
    if (cec.ok) expect(cec.event.detail).not.toHaveProperty('at');
    const tc = normaliseWebhook('tencent', { Target: 't', Region: 'ap-guangzhou', EventType: 'SpotInstanceInterruption', InstanceId: 'ins-1', EventTime: '2026-11-24T10:00:00+08:00' });
    expect(tc).toMatchObject({ ok: true, event: { detailType: 'Spot Interruption', detail: { at: '2026-11-24T02:00:00.000Z' } } });
  });

  it('names the field and what was expected for a bad body', () => {
    const missing = normaliseWebhook('tencent', { Region: 'ap-guangzhou', EventType: 'InstanceCreated', InstanceId: 'ins-1' });
    expect(missing).toMatchObject({ ok: false, problems: [{ path: 'Target', message: expect.stringMatching(/target name/) }] });
    const badType = normaliseWebhook('kec', { Target: 'k', Region: 'r', EventType: 'Rebooted', InstanceId: 'i' });
    expect(badType.ok ? [] : badType.problems.map((p) => p.path)).toEqual(['EventType']);
    const badTime = normaliseWebhook('kec', { Target: 'k', Region: 'r', EventType: 'InstanceCreated', InstanceId: 'i', EventTime: '2026-11-24T02:00:00Z' });
    expect(badTime).toMatchObject({ ok: false, problems: [{ path: 'EventTime', message: expect.stringMatching(/Beijing/) }] });
    const extra = normaliseWebhook('cecstack', { target: 'c', region: 'r', eventType: 'instance.deleted', instanceId: 'e', colour: 'red' });
    expect(extra.ok).toBe(false);
    expect(normaliseWebhook('alibaba', 'not an object').ok).toBe(false);
  });
});
