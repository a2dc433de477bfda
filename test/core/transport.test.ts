import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetExceeded, bucketForRate, DryRunViolation, RateLimiter, SlidingWindow, TokenBucket, WINDOW_MARGIN_MS, Transport, VendorError, type HttpResponse } from '../../lib/vendors/core';

// A loopback server whose behaviour each test scripts: throttle, 500, hang, malformed body.
type Script = (n: number) => { status: number; body: string; hangMs?: number };

let server: Server;
let base: string;
let script: Script;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const step = script(++hits);
    const send = () => {
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(step.body);
    };
    if (step.hangMs) setTimeout(send, step.hangMs).unref();
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  hits = 0;
});

const meta = { vendor: 'tencent' as const, action: 'DescribeInstances', region: 'ap-guangzhou', mutating: false };

/** A vendor-style parse: {"ok":true} is data, {"code":...} an error, throttling retryable. */
function parse(res: HttpResponse) {
  const body = JSON.parse(res.body) as { ok?: boolean; code?: string };
  if (body.ok) return body;
  throw new VendorError({
    vendor: 'tencent',
    action: 'DescribeInstances',
    code: body.code ?? 'Unknown',
    message: 'failed',
    httpStatus: res.status,
    retryable: body.code === 'RequestLimitExceeded' || res.status >= 500,
  });
}

const fast = (extra = {}) => new Transport({ retry: { baseDelayMs: 1, maxDelayMs: 4 }, timeoutMs: 300, ...extra });
const get = () => ({ method: 'GET' as const, url: `${base}/`, headers: {} });

describe('Transport', () => {
  it('retries throttling, then succeeds, signing each attempt afresh', async () => {
    script = (n) => (n < 3 ? { status: 200, body: '{"code":"RequestLimitExceeded"}' } : { status: 200, body: '{"ok":true}' });
    let builds = 0;
    const t = fast();
    await expect(t.call(meta, () => (builds++, get()), parse)).resolves.toEqual({ ok: true });
    expect(hits).toBe(3);
    expect(builds).toBe(3);
  });

  it('retries a 500 and a malformed body, but not a validation error', async () => {
    script = (n) => (n === 1 ? { status: 500, body: 'oops' } : n === 2 ? { status: 200, body: '{"ok": tru' } : { status: 200, body: '{"ok":true}' });
    await expect(fast().call(meta, get, parse)).resolves.toEqual({ ok: true });
    expect(hits).toBe(3);

    hits = 0;
    script = () => ({ status: 400, body: '{"code":"InvalidParameter"}' });
    await expect(fast().call(meta, get, parse)).rejects.toMatchObject({ code: 'InvalidParameter', retryable: false });
    expect(hits).toBe(1);
  });

  it('times out a hanging server and gives up after maxAttempts', async () => {
    script = () => ({ status: 200, body: '{"ok":true}', hangMs: 2000 });
    const t = fast({ timeoutMs: 50, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await t.call(meta, get, parse).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ code: 'Timeout', retryable: true });
    expect(hits).toBe(2);
  });

  it('refuses a mutating call in read-only mode before sending anything', async () => {
    script = () => ({ status: 200, body: '{"ok":true}' });
    const t = new Transport({ readOnly: true });
    await expect(t.call({ ...meta, action: 'TerminateInstances', mutating: true }, get, parse)).rejects.toBeInstanceOf(DryRunViolation);
    expect(hits).toBe(0);
  });

  it('fails loudly past the request budget', async () => {
    script = () => ({ status: 200, body: '{"ok":true}' });
    const t = fast({ requestBudget: 2 });
    await t.call(meta, get, parse);
    await t.call(meta, get, parse);
    await expect(t.call(meta, get, parse)).rejects.toBeInstanceOf(BudgetExceeded);
    expect(hits).toBe(2);
  });

  it('keeps to the per-action rate through its token bucket', async () => {
    let now = 0;
    const bucket = new TokenBucket(2, 2, () => now);
    await bucket.take();
    await bucket.take();
    let third = false;
    const pending = bucket.take().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false); // burst spent, clock frozen: no token
    now = 500; // half a second at 2/s refills one token
    await pending;
    expect(third).toBe(true);
  });

  it('admits at most the documented rate in any one-second window', async () => {
    let now = 0;
    const bucket = bucketForRate(40, () => now);
    let admitted = 0;
    const all = Array.from({ length: 60 }, () => bucket.take().then(() => admitted++));
    await new Promise((r) => setTimeout(r, 20));
    expect(admitted).toBe(4); // the burst: a tenth of the rate
    for (let t = 50; t <= 1000; t += 50) {
      now = t; // the clock moves in 50 ms steps; the bucket refills 36/s
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(admitted).toBeGreaterThanOrEqual(38);
    expect(admitted).toBeLessThanOrEqual(40); // never the 80 a full-size burst would let through
    now = 1e6;
    for (let i = 0; i < 40 && admitted < 60; i++) {
      now += 1000;
      await new Promise((r) => setTimeout(r, 40));
    }
    await Promise.all(all);
  });

  /**
   * One request at a time through `window` on a test clock (the pause moves it): request i reaches
   * the vendor `late(i)` ms after it is sent and is answered 1 ms later. Returns arrival times.
   */
  async function sequential(window: SlidingWindow, clock: { now: number }, n: number, late: (i: number) => number): Promise<number[]> {
    const arrived: number[] = [];
    for (let i = 0; i < n; i++) {
      const release = await window.take();
      clock.now += late(i);
      arrived.push(clock.now);
      clock.now += 1;
      release();
    }
    return arrived;
  }
  const perClockSecond = (at: number[]) => Math.max(...Object.values(at.reduce<Record<number, number>>((m, t) => ({ ...m, [Math.floor(t / 1000)]: (m[Math.floor(t / 1000)] ?? 0) + 1 }), {})));
  const perSlidingSecond = (at: number[]) => Math.max(...at.map((start) => at.filter((t) => t >= start && t < start + 1000).length));

  it('sends the whole documented rate and never more than it in any one-second window', async () => {
    const clock = { now: 0 };
    const window = new SlidingWindow(40, 1000 + WINDOW_MARGIN_MS, () => clock.now, async (ms) => void (clock.now += ms));
    const at = await sequential(window, clock, 400, () => 2); // a 3 ms round trip, as a paged listing
    expect(perSlidingSecond(at)).toBeLessThanOrEqual(40); // any second the vendor counts by, however aligned
    // sustained: 40 requests per (mean time between a request and the 40th after it)
    const gaps = at.slice(40).map((t, i) => t - at[i]!);
    const sustained = 40 / (gaps.reduce((a, b) => a + b, 0) / gaps.length / 1000);
    expect(sustained / 40).toBeGreaterThanOrEqual(0.99); // 1000 / (1000 + margin + round trip)
  });

  it('never lets a request that reached the vendor late make a 41st in its second', async () => {
    // the first request is held up 40 ms on its way (a busy event loop or server) and lands just
    // after a second starts; counted from its send time, the 41st would land in that second too
    const clock = { now: 970 };
    const window = new SlidingWindow(40, 1000 + WINDOW_MARGIN_MS, () => clock.now, async (ms) => void (clock.now += ms));
    const at = await sequential(window, clock, 200, (i) => (i % 40 === 0 ? 40 : 1));
    expect(perClockSecond(at)).toBeLessThanOrEqual(40);
    expect(perSlidingSecond(at)).toBeLessThanOrEqual(40);
    // any lateness up to a second, at any alignment
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const start of [0, 333, 975, 999]) {
      const c = { now: start };
      const w = new SlidingWindow(40, 1000 + WINDOW_MARGIN_MS, () => c.now, async (ms) => void (c.now += ms));
      const arrivals = await sequential(w, c, 240, () => (random() < 0.1 ? Math.floor(random() * 900) : 1));
      expect(perSlidingSecond(arrivals)).toBeLessThanOrEqual(40);
    }
  });

  it('holds a request in flight in its window until its answer arrives', async () => {
    const clock = { now: 0 };
    const window = new SlidingWindow(2, 1000, () => clock.now, async (ms) => void (clock.now += ms));
    const first = await window.take();
    await window.take();
    let third = false;
    const pending = window.take().then((release) => ((third = true), release));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false); // two in flight: nothing frees a slot but an answer
    clock.now = 250;
    first(); // answered at 250: its slot frees at 1250
    await pending;
    expect(third).toBe(true);
    expect(clock.now).toBe(1250);
  });

  it('starts the window of a request when its answer begins to arrive, not when its body is read', async () => {
    const events: string[] = [];
    // a vendor that sends its headers at once and the rest of a large answer later
    const slow = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => {
        events.push('body sent');
        res.end('{"ok":true}');
      }, 150).unref();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    class Recording extends RateLimiter {
      override async take(key: string, rate: number) {
        const release = await super.take(key, rate);
        return () => {
          if (!events.includes('release')) events.push('release');
          release();
        };
      }
    }
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
      await fast({ limiter: new Recording(), timeoutMs: 5000 }).call({ ...meta, ratePerSecond: 40 }, () => ({ method: 'GET' as const, url, headers: {} }), parse);
      expect(events).toEqual(['release', 'body sent']);
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it('queues concurrent callers in order within the window', async () => {
    const clock = { now: 0 };
    const window = new SlidingWindow(2, 1000, () => clock.now, async (ms) => void (clock.now += ms));
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => window.take().then((release) => (order.push(i), release()))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(clock.now).toBe(2000); // two per second: the fifth waits two windows
  });

  it('counts every request it sends per action', async () => {
    script = () => ({ status: 200, body: '{"ok":true}' });
    const t = fast();
    await Promise.all(Array.from({ length: 5 }, () => t.call({ ...meta, ratePerSecond: 100 }, get, parse)));
    expect(t.counts.get('tencent DescribeInstances')).toBe(5);
    expect(t.requestsSent).toBe(5);
  });

  it('backs off with full jitter under the cap', () => {
    const t = new Transport({ retry: { baseDelayMs: 100, maxDelayMs: 1000 }, random: () => 0.999 });
    expect(t.backoff(1)).toBeLessThan(100);
    expect(t.backoff(4)).toBeLessThan(800);
    expect(t.backoff(10)).toBeLessThan(1000);
    expect(t.backoff(10)).toBeGreaterThan(900);
  });
});

describe('Transport retries of mutations', () => {
  const mutate = { ...meta, action: 'CreateLocalVolumeSnapshot', mutating: true };

  it('does not resend a non-idempotent mutation that may have acted, but does resend a throttled one', async () => {
    script = () => ({ status: 500, body: 'oops' });
    await expect(fast().call(mutate, get, parse)).rejects.toMatchObject({ code: 'HTTP500' });
    expect(hits).toBe(1);

    hits = 0;
    script = (n) => (n === 1 ? { status: 200, body: '{"code":"RequestLimitExceeded"}' } : { status: 200, body: '{"ok":true}' });
    await expect(fast().call(mutate, get, parse)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it('resends an idempotent mutation (ClientToken) after a 5xx', async () => {
    script = (n) => (n === 1 ? { status: 500, body: 'oops' } : { status: 200, body: '{"ok":true}' });
    await expect(fast().call({ ...mutate, idempotent: true }, get, parse)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });
});

describe('the HTTP client (httpFetch, node:http)', () => {
  it('is the default: a call goes out without the global fetch', async () => {
    script = () => ({ status: 200, body: '{"ok":true}' });
    const global = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new Error('global fetch used'))) as typeof fetch;
    try {
      await expect(fast().call(meta, get, parse)).resolves.toEqual({ ok: true });
    } finally {
      globalThis.fetch = global;
    }
  });

  it("frames a DELETE's body as fetch does, so the vendor reads it", async () => {
    const bodies: string[] = [];
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.headers['content-length']} ${body}`);
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/batch-delete`;
      const body = JSON.stringify({ ecsIds: ['vm1', 'vm2'], note: '删除' });
      await fast().call(meta, () => ({ method: 'DELETE' as const, url, headers: { 'content-type': 'application/json' }, body }), parse);
      expect(bodies).toEqual([`DELETE ${Buffer.byteLength(body)} ${body}`]);
    } finally {
      echo.closeAllConnections();
      await new Promise((r) => echo.close(r));
    }
  });

  it('a refused connection is a NetworkError-class VendorError with its code, retried, and not "may have acted"', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const t = fast({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await t.call({ ...meta, action: 'TerminateInstances', mutating: true }, () => ({ method: 'POST' as const, url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}' }), parse).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect(t.requestsSent).toBe(2); // refused before it reached anyone: safe to send again
  });

  it('times out a body that stops halfway', async () => {
    const stall = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":'); // and nothing more
    });
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/`;
      const t = fast({ timeoutMs: 100, retry: { maxAttempts: 1 } });
      await expect(t.call(meta, () => ({ method: 'GET' as const, url, headers: {} }), parse)).rejects.toMatchObject({ retryable: true });
    } finally {
      stall.closeAllConnections();
      await new Promise((r) => stall.close(r));
    }
  });
});

// What the operator must check, named by the call itself (the client passes its target as the
// call's origin), not by a wrapper around the client.
describe('a failed call names what to check for its target', () => {
  const origin = { target: 'tencent-prod', endpoint: 'http://127.0.0.1:9/', credentialSettings: 'credentials.accessKeyIdEnv TC_ID, credentials.secretEnv TC_SECRET' };
  const once = () => fast({ retry: { maxAttempts: 1 } });

  it('a connection failure: the target and its endpoint', async () => {
    const err = await once().call({ ...meta, origin }, () => ({ method: 'GET' as const, url: 'http://127.0.0.1:9/', headers: {} }), parse).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as Error).message).toMatch(/ — cannot reach target "tencent-prod" at http:\/\/127\.0\.0\.1:9\/: check its endpoint setting and the network$/);
  });

  it('an auth failure: the credential settings, never their values', async () => {
    script = () => ({ status: 200, body: '{"code":"AuthFailure.SignatureFailure"}' });
    const authParse = (res: HttpResponse) => {
      const { code } = JSON.parse(res.body) as { code: string };
      throw new VendorError({ vendor: 'tencent', action: 'DescribeInstances', code, message: 'signature mismatch', httpStatus: res.status, auth: true, requestId: 'req-1' });
    };
    const err = (await once().call({ ...meta, origin }, get, authParse).catch((e: unknown) => e)) as VendorError;
    expect(err.message).toContain('target "tencent-prod" rejected the credentials: check credentials.accessKeyIdEnv TC_ID, credentials.secretEnv TC_SECRET');
    // what a batch outcome shows for each id: the vendor's words and the hint, the request id apart
    expect(err.vendorMessage).toBe('signature mismatch — target "tencent-prod" rejected the credentials: check credentials.accessKeyIdEnv TC_ID, credentials.secretEnv TC_SECRET');
  });

  it("an answer that is not the vendor's: the endpoint setting (the vendor's default when none is set)", async () => {
    script = () => ({ status: 200, body: '<html>captive portal</html>' });
    const err = (await once().call({ ...meta, origin: { target: 'tencent-prod' } }, get, parse).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/the answer from the tencent default endpoint \(target "tencent-prod"\) is not a tencent API response: check its endpoint setting$/);
  });

  it('a refusal by the vendor gets no hint, and a call without an origin none either', async () => {
    script = () => ({ status: 200, body: '{"code":"InvalidParameterValue"}' });
    const refused = (await once().call({ ...meta, origin }, get, parse).catch((e: unknown) => e)) as Error;
    expect(refused.message).toBe('tencent DescribeInstances failed: InvalidParameterValue: failed');
    const plain = (await once().call(meta, () => ({ method: 'GET' as const, url: 'http://127.0.0.1:9/', headers: {} }), parse).catch((e: unknown) => e)) as Error;
    expect(plain.message).not.toContain('check');
  });
});
