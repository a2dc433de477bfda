import {
  decideAutoDelete,
  wantedDeletion,
  type DecideInput,
} from '../../../lib/automations/auto-delete/decide';

const now = new Date('2026-11-24T04:00:00Z');
const native = { autoDelete: 'native', recycleBin: 'native' } as const;
const emulated = { autoDelete: 'emulated', recycleBin: 'native' } as const;
const softBin = { autoDelete: 'emulated', recycleBin: 'emulated' } as const;
const inst = { id: 'i-1', state: 'running', chargeType: 'postpaid' } as DecideInput['instance'];

function decide(over: Partial<DecideInput>) {
  return decideAutoDelete({
    instance: inst,
    wanted: {},
    now,
    capabilities: emulated,
    limits: { autoDeleteMinLeadMinutes: 30 },
    timerIsOurs: false,
    ...over,
  }).map((d) => d.action);
}

describe('wantedDeletion', () => {
  const created = '2026-11-20T00:00:00Z';
  it('prefers the config list, then the tag, then the TTL', () => {
    const source = { tag: 'auto-delete-at', ttl: '72h', list: [{ id: 'i-1', at: '2026-12-01T00:00:00Z' }] };
    const tags = { 'auto-delete-at': '2026-12-02T18:00:00+08:00' };
    expect(wantedDeletion({ id: 'i-1', tags, createdAt: created }, source, true)).toEqual({
      at: '2026-12-01T00:00:00.000Z',
      from: 'list',
    });
    expect(wantedDeletion({ id: 'i-2', tags, createdAt: created }, source, true)).toEqual({
      at: '2026-12-02T10:00:00.000Z',
      from: 'tag',
    });
    expect(wantedDeletion({ id: 'i-2', tags: {}, createdAt: created }, source, true)).toEqual({
      at: '2026-11-23T00:00:00.000Z',
      from: 'ttl',
    });
    expect(wantedDeletion({ id: 'i-2', tags: {}, createdAt: created }, source, false)).toEqual({});
  });
  it('reports an invalid tag and never guesses a time', () => {
    const w = wantedDeletion(
      { id: 'i', tags: { 'auto-delete-at': '2026-12-01 18:00' }, createdAt: created },
      { tag: 'auto-delete-at', ttl: '1h' },
      true,
    );
    expect(w.at).toBeUndefined();
    expect(w.invalid).toMatch(/auto-delete-at.*ISO-8601/);
    expect(decide({ wanted: w })).toEqual(['invalid']);
  });
});

describe('decideAutoDelete', () => {
  const past = { at: '2026-11-24T03:00:00.000Z', from: 'tag' as const };
  const soon = { at: '2026-11-24T04:20:00.000Z', from: 'tag' as const };
  const later = { at: '2026-11-25T04:00:00.000Z', from: 'tag' as const };

  it('deletes when due on emulated vendors, into our bin where the vendor has none', () => {
    expect(decide({ wanted: past })).toEqual(['delete']);
    expect(decide({ wanted: past, capabilities: softBin })).toEqual(['soft-delete']);
    expect(decide({ wanted: later })).toEqual(['none']);
  });

  it('pushes the wanted time to a native timer, respecting the minimum lead', () => {
    expect(decide({ wanted: later, capabilities: native })).toEqual(['set-timer']);
    expect(
      decide({ wanted: later, capabilities: native, instance: { ...inst, autoDeleteAt: later.at } }),
    ).toEqual(['none']);
    expect(
      decide({
        wanted: later,
        capabilities: native,
        instance: { ...inst, autoDeleteAt: '2026-11-26T00:00:00.000Z' },
      }),
    ).toEqual(['set-timer']);
    expect(decide({ wanted: soon, capabilities: native })).toEqual(['none']); // 20 min ahead < 30 min lead
    expect(decide({ wanted: past, capabilities: native })).toEqual(['delete']);
  });

  it('never clears a timer it did not set', () => {
    const withTimer = { ...inst, autoDeleteAt: later.at };
    expect(decide({ capabilities: native, instance: withTimer, timerIsOurs: false })).toEqual(['none']);
    expect(decide({ capabilities: native, instance: withTimer, timerIsOurs: true })).toEqual(['clear-timer']);
    // an invalid tag never clears anything either
    expect(
      decide({ capabilities: native, instance: withTimer, timerIsOurs: true, wanted: { invalid: 'bad' } }),
    ).toEqual(['invalid']);
  });

  it('warns within the lead time, before the due time only', () => {
    expect(decide({ wanted: soon, warnBeforeMs: 3600_000 })).toEqual(['warn', 'none']);
    expect(decide({ wanted: later, warnBeforeMs: 3600_000 })).toEqual(['none']);
    expect(decide({ wanted: past, warnBeforeMs: 3600_000 })).toEqual(['delete']);
  });

  it('leaves instances already on their way out alone', () => {
    expect(decide({ wanted: past, instance: { ...inst, state: 'recycled' } })).toEqual(['none']);
  });

  it('says when a prepaid instance may not be deleted early', () => {
    const out = decideAutoDelete({
      instance: { ...inst, chargeType: 'prepaid', expiresAt: '2027-01-01T00:00:00Z' },
      wanted: past,
      now,
      capabilities: emulated,
      limits: {},
      timerIsOurs: false,
    });
    expect(out[0]).toMatchObject({ action: 'delete', reason: expect.stringMatching(/prepaid until/) });
  });
});

describe('native timer minutes', () => {
  it('rounds the wanted time up to the whole minute the vendor timer holds', () => {
    const out = decideAutoDelete({
      instance: inst,
      wanted: { at: '2026-11-25T04:00:30.000Z', from: 'ttl' },
      now,
      capabilities: native,
      limits: { autoDeleteMinLeadMinutes: 30 },
      timerIsOurs: false,
    });
    expect(out).toEqual([expect.objectContaining({ action: 'set-timer', at: '2026-11-25T04:01:00.000Z' })]);
    expect(
      decide({
        wanted: { at: '2026-11-25T04:00:30.000Z', from: 'ttl' },
        capabilities: native,
        instance: { ...inst, autoDeleteAt: '2026-11-25T04:01:00.000Z' },
      }),
    ).toEqual(['none']);
  });
  it('never deletes a protected instance and starts nothing on a busy one (issue 16 item 5)', () => {
    const past = { at: '2026-11-24T03:00:00.000Z', from: 'tag' as const };
    const later = { at: '2026-11-25T04:00:00.000Z', from: 'tag' as const };
    expect(decide({ wanted: past, instance: { ...inst, terminationProtected: true } })).toEqual([
      'protected',
    ]);
    expect(
      decide({ wanted: past, capabilities: softBin, instance: { ...inst, terminationProtected: true } }),
    ).toEqual(['protected']);
    expect(
      decide({ wanted: later, capabilities: native, instance: { ...inst, terminationProtected: true } }),
    ).toEqual(['set-timer']);
    expect(decide({ wanted: past, instance: { ...inst, busyWith: 'StopInstances' } })).toEqual(['busy']);
    expect(
      decide({ wanted: later, capabilities: native, instance: { ...inst, busyWith: 'StopInstances' } }),
    ).toEqual(['busy']);
    expect(decide({ wanted: later, instance: { ...inst, busyWith: 'StopInstances' } })).toEqual(['none']);
  });
});
