import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgePublisher } from '../../lib/audit/events';
import { handleWebhook, type FunctionUrlRequest, type IngestDeps } from '../../lib/ingest/handler';
import { MemoryReplayGuard } from '../../lib/ingest/replay';
import { signWebhook } from '../../lib/ingest/signature';
import { EVENTS_DIR } from '../support/harness';
import { eventBridgeClientFor, startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';

const secret = 'ingest-test-secret';
const now = new Date('2026-11-24T02:00:00Z');

describe('ingest: signed vendor webhooks onto the bus', () => {
  let bus: EventBridgeServer;
  let publisher: EventBridgePublisher;
  beforeAll(async () => {
    bus = await startEventBridgeServer();
    publisher = new EventBridgePublisher({ client: eventBridgeClientFor(bus), busName: 'cloud-automation-test', maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 });
  });
  afterAll(() => bus.close());

  // a fresh replay memory per test: the samples are sent signed at `now` in several tests
  let deps: IngestDeps;
  beforeEach(() => {
    deps = { secret: async () => secret, publisher: async () => publisher, now: () => now, replay: new MemoryReplayGuard() };
  });
  const request = (vendor: string, body: string, headers = signWebhook(secret, body, now)): FunctionUrlRequest => ({
    rawPath: `/${vendor}`,
    headers,
    body,
    requestContext: { http: { method: 'POST' } },
  });
  const sample = (vendor: string) => readFileSync(join(EVENTS_DIR, 'webhooks', `${vendor}.json`), 'utf8');

  it.each(['tencent', 'kec', 'alibaba', 'cecstack'])('puts the normalised %s sample on our bus and answers 202', async (vendor) => {
    const before = bus.delivered.length;
    const res = await handleWebhook(request(vendor, sample(vendor)), deps);
    expect(res.statusCode).toBe(202);
    const sent = bus.delivered.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ EventBusName: 'cloud-automation-test', Source: `cloud-automation.${vendor}` });
    expect(JSON.parse(sent[0]!.Detail!)).toMatchObject({ vendor, instanceId: expect.any(String) });
    expect(JSON.parse(res.body).accepted['detail-type']).toBe(sent[0]!.DetailType);
  });

  it('answers 400 with the reason for a bad payload and puts nothing on the bus', async () => {
    const before = bus.calls.length;
    const bad = await handleWebhook(request('kec', JSON.stringify({ Target: 'kec-prod', EventType: 'Rebooted', InstanceId: 'i-1' })), deps);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/Region.*EventType|EventType.*Region/s);
    const notJson = await handleWebhook(request('kec', '{oops'), deps);
    expect([notJson.statusCode, JSON.parse(notJson.body).error]).toEqual([400, 'body is not JSON']);
    expect(bus.calls.length).toBe(before);
  });

  it('answers 401 for a bad or stale signature, 404 for an unknown vendor, 405 for GET; nothing on the bus', async () => {
    const before = bus.calls.length;
    const body = sample('tencent');
    const forged = await handleWebhook(request('tencent', body, signWebhook('guess', body, now)), deps);
    expect(forged.statusCode).toBe(401);
    const stale = await handleWebhook(request('tencent', body, signWebhook(secret, body, new Date(now.getTime() - 6 * 60_000))), deps);
    expect([stale.statusCode, JSON.parse(stale.body).error]).toEqual([401, expect.stringMatching(/replay/)]);
    expect(forged.body + stale.body).not.toContain(secret);
    expect((await handleWebhook(request('aws', body), deps)).statusCode).toBe(404);
    expect((await handleWebhook({ ...request('tencent', body), requestContext: { http: { method: 'GET' } } }, deps)).statusCode).toBe(405);
    expect(bus.calls.length).toBe(before);
  });

  it('verifies base64 bodies over their raw bytes', async () => {
    const body = sample('cecstack');
    const res = await handleWebhook({ ...request('cecstack', body), body: Buffer.from(body).toString('base64'), isBase64Encoded: true }, deps);
    expect(res.statusCode).toBe(202);
  });

  it('answers 502 when the bus refuses the event', async () => {
    bus.failOn({ match: (e) => e.Source === 'cloud-automation.alibaba', times: 5, errorCode: 'InternalFailure' });
    const res = await handleWebhook(request('alibaba', sample('alibaba')), deps);
    expect([res.statusCode, JSON.parse(res.body).error]).toEqual([502, expect.stringMatching(/InternalFailure/)]);
  });

  it('refuses the same signed request a second time (409), puts it on the bus once', async () => {
    const before = bus.delivered.length;
    const signed = request('kec', sample('kec'));
    const first = await handleWebhook(signed, deps);
    const again = await handleWebhook(signed, deps);
    expect(first.statusCode).toBe(202);
    expect([again.statusCode, JSON.parse(again.body).error]).toEqual([409, expect.stringMatching(/already accepted/)]);
    expect(bus.delivered.length - before).toBe(1);
    // the same body signed again (a new timestamp) is a new request
    const resigned = request('kec', sample('kec'), signWebhook(secret, sample('kec'), new Date(now.getTime() - 1000)));
    expect((await handleWebhook(resigned, deps)).statusCode).toBe(202);
  });

  it('refuses a timestamp more than 30 s ahead; a little clock drift is fine', async () => {
    const body = sample('tencent');
    const ahead = await handleWebhook(request('tencent', body, signWebhook(secret, body, new Date(now.getTime() + 4 * 60_000))), deps);
    expect([ahead.statusCode, JSON.parse(ahead.body).error]).toEqual([401, expect.stringMatching(/ahead/)]);
    const drift = await handleWebhook(request('tencent', body, signWebhook(secret, body, new Date(now.getTime() + 20_000))), deps);
    expect(drift.statusCode).toBe(202);
  });

  it('accepts the identical request again after the bus refused it (the sender retries), once', async () => {
    bus.failOn({ match: (e) => e.Source === 'cloud-automation.cecstack', times: 2, errorCode: 'InternalFailure' });
    const signed = request('cecstack', sample('cecstack'));
    expect((await handleWebhook(signed, deps)).statusCode).toBe(502);
    expect((await handleWebhook(signed, deps)).statusCode).toBe(202);
    expect((await handleWebhook(signed, deps)).statusCode).toBe(409);
  });
});
