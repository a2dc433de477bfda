import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VendorError } from '../../lib/vendors/core';
import {
  EVENT_SOURCE,
  EventBridgePublisher,
  MemoryPublisher,
  PUT_EVENTS_MAX_BYTES,
  clearRegisteredSecrets,
  openEventPublisher,
  putEventsEntrySize,
  registerSecret,
  type BusEvent,
  type FailedBusEvent,
} from '../../lib/audit';
import { eventBridgeClientFor, startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { sampleRecord } from './fixtures';

let server: EventBridgeServer;
beforeEach(async () => {
  server = await startEventBridgeServer();
});
afterEach(async () => {
  await server.close();
  clearRegisteredSecrets();
});

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
function publisher(extra: Partial<ConstructorParameters<typeof EventBridgePublisher>[0]> = {}) {
  return new EventBridgePublisher({ client: eventBridgeClientFor(server), busName: 'automation-bus', ...fast, ...extra });
}
function notice(i: number, detail: object = { i }): BusEvent {
  return { source: EVENT_SOURCE, detailType: 'Automation Notice', detail };
}

describe('EventBridgePublisher', () => {
  it('sends 25 events in 3 calls of at most 10, in order, to the named bus', async () => {
    const events = Array.from({ length: 25 }, (_, i) => notice(i));
    const { failed } = await publisher().publish(events);
    expect(failed).toEqual([]);
    expect(server.calls.map((c) => c.entries.length)).toEqual([10, 10, 5]);
    expect(server.delivered.map((e) => JSON.parse(e.Detail!).i)).toEqual(events.map((_, i) => i));
    expect(server.delivered.every((e) => e.Source === 'cloud-automation' && e.EventBusName === 'automation-bus')).toBe(true);
  });

  it('splits by size so no call exceeds 256 KB, and sends time and resources', async () => {
    const big = 'x'.repeat(100 * 1024);
    const events = [0, 1, 2, 3].map((i) => ({ ...notice(i, { i, big }), time: '2026-03-01T02:00:00Z', resources: [`ins-${i}`] }));
    const { failed } = await publisher().publish(events);
    expect(failed).toEqual([]);
    expect(server.calls.map((c) => c.entries.length)).toEqual([2, 2]);
    for (const call of server.calls) {
      const size = call.entries.reduce((n, e) => n + putEventsEntrySize({ source: e.Source!, detailType: e.DetailType!, detail: {}, time: 'x', resources: e.Resources }, e.Detail), 0);
      expect(size).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    }
    expect(server.delivered[0]).toMatchObject({ Time: Date.parse('2026-03-01T02:00:00Z') / 1000, Resources: ['ins-0'] });
  });

  it('counts entry size as AWS documents it (14 bytes for Time, UTF-8 bytes of the rest)', () => {
    const e: BusEvent = { source: 'ab', detailType: 'cd', detail: { k: 'é' }, time: '2026-03-01T00:00:00Z', resources: ['r1'] };
    expect(putEventsEntrySize(e)).toBe(14 + 2 + 2 + Buffer.byteLength('{"k":"é"}') + 2);
  });

  it('returns an entry larger than 256 KB as failed without sending it', async () => {
    const { failed } = await publisher().publish([notice(0, { big: 'y'.repeat(PUT_EVENTS_MAX_BYTES) }), notice(1)]);
    expect(failed).toHaveLength(1);
    expect((failed[0] as FailedBusEvent).errorCode).toBe('EntryTooLarge');
    expect(server.delivered.map((e) => JSON.parse(e.Detail!).i)).toEqual([1]);
  });

  it('retries entries the bus failed and delivers them on the next attempt', async () => {
    server.failOn({ match: (e) => [3, 7].includes(JSON.parse(e.Detail!).i), errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });
    const { failed } = await publisher().publish(Array.from({ length: 12 }, (_, i) => notice(i)));
    expect(failed).toEqual([]);
    expect(server.calls.map((c) => c.entries.length)).toEqual([10, 2, 2]);
    expect(server.calls.slice(-1)[0]?.entries.map((e) => JSON.parse(e.Detail!).i)).toEqual([3, 7]);
    expect(server.delivered.map((e) => JSON.parse(e.Detail!).i).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  it('gives up after maxAttempts and returns the entry with its last error', async () => {
    server.failOn({ match: (e) => JSON.parse(e.Detail!).i === 1, times: 100, errorCode: 'InternalFailure', errorMessage: 'boom' });
    const { failed } = await publisher({ maxAttempts: 3 }).publish([notice(0), notice(1)]);
    expect(failed).toEqual([{ ...notice(1), errorCode: 'InternalFailure', errorMessage: 'boom' }]);
    expect(server.calls).toHaveLength(3);
    expect(server.delivered).toHaveLength(1);
  });

  it('does not retry an entry the bus rejects as malformed', async () => {
    server.failOn({ match: () => true, times: 100, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' });
    const { failed } = await publisher().publish([notice(0)]);
    expect(failed.map((f) => (f as FailedBusEvent).errorCode)).toEqual(['MalformedDetail']);
    expect(server.calls).toHaveLength(1);
  });

  it('returns every entry as failed when the bus cannot be reached', async () => {
    const endpoint = server.endpoint;
    await server.close();
    const p = new EventBridgePublisher({ client: eventBridgeClientFor({ endpoint }), busName: 'b', maxAttempts: 2, ...fast });
    const { failed } = await p.publish([notice(0), notice(1)]);
    expect(failed).toHaveLength(2);
    server = await startEventBridgeServer(); // for afterEach
  });

  it('never sends a credential planted in an event', async () => {
    const secret = 'sim-alibaba-secret-K3y';
    registerSecret(secret);
    const err = new VendorError({ vendor: 'alibaba', action: 'DeleteInstance', code: 'SignatureDoesNotMatch', message: `server string-to-sign used ${secret}` });
    const record = sampleRecord({
      phase: 'result',
      outcome: 'failed',
      error: { code: err.code, message: err.message },
      details: { url: 'https://ecs.example/?Action=DeleteInstance&Signature=QmFzZTY0U2ln%3D', headers: { Authorization: `Bearer ${secret}` } },
    });
    const { failed } = await publisher().publish([{ source: 'cloud-automation', detailType: 'Automation Action', detail: record, time: record.at }, notice(1, { vendorError: err, password: secret })]);
    expect(failed).toEqual([]);
    const wire = server.calls.map((c) => c.body).join('\n');
    expect(wire).toContain('SignatureDoesNotMatch');
    expect(wire).not.toContain(secret);
    expect(wire).not.toContain('QmFzZTY0U2ln');
  });
});

describe('MemoryPublisher', () => {
  it('keeps redacted events and appends them as JSON lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    try {
      registerSecret('local-secret-1');
      const path = join(dir, 'sub', 'events.jsonl');
      const pub = await openEventPublisher({ kind: 'memory', path });
      expect(pub).toBeInstanceOf(MemoryPublisher);
      const { failed } = await pub.publish([notice(0, { note: 'key local-secret-1' }), notice(1, { big: 'z'.repeat(PUT_EVENTS_MAX_BYTES) })]);
      expect(failed).toHaveLength(1);
      expect((pub as MemoryPublisher).events).toEqual([notice(0, { note: 'key [REDACTED]' })]);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines.map((l) => JSON.parse(l))).toEqual([notice(0, { note: 'key [REDACTED]' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
