import { MAX_SKEW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhook } from '../../lib/ingest/signature';

const secret = 'test-ingest-secret';
const now = new Date('2026-11-24T02:00:00Z');
const body = Buffer.from('{"a":1}');

describe('webhook HMAC signature', () => {
  it('accepts a body signed with the secret within the window', () => {
    expect(verifyWebhook({ secret, rawBody: body, headers: signWebhook(secret, body, now), now })).toEqual({ ok: true });
    const later = new Date(now.getTime() + MAX_SKEW_MS - 1000);
    expect(verifyWebhook({ secret, rawBody: body, headers: signWebhook(secret, body, now), now: later }).ok).toBe(true);
  });

  it('refuses a changed body, another secret, or a timestamp swapped after signing', () => {
    const headers = signWebhook(secret, body, now);
    expect(verifyWebhook({ secret, rawBody: Buffer.from('{"a":2}'), headers, now })).toEqual({ ok: false, reason: expect.stringMatching(/does not match/) });
    expect(verifyWebhook({ secret: 'other', rawBody: body, headers, now }).ok).toBe(false);
    const swapped = { ...headers, [TIMESTAMP_HEADER]: String(Number(headers[TIMESTAMP_HEADER]) + 1) };
    expect(verifyWebhook({ secret, rawBody: body, headers: swapped, now }).ok).toBe(false);
  });

  it('refuses replays older than 5 minutes and timestamps too far ahead', () => {
    const old = signWebhook(secret, body, new Date(now.getTime() - MAX_SKEW_MS - 1000));
    expect(verifyWebhook({ secret, rawBody: body, headers: old, now })).toEqual({ ok: false, reason: expect.stringMatching(/replay/) });
    const ahead = signWebhook(secret, body, new Date(now.getTime() + MAX_SKEW_MS + 1000));
    expect(verifyWebhook({ secret, rawBody: body, headers: ahead, now }).ok).toBe(false);
  });

  it('names the missing or malformed header, never the secret or expected value', () => {
    const headers = signWebhook(secret, body, now);
    const cases: Record<string, string | undefined>[] = [
      { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] },
      { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER] },
      { ...headers, [TIMESTAMP_HEADER]: 'yesterday' },
      { ...headers, [SIGNATURE_HEADER]: 'sha256=abc' },
      { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.slice(7) },
    ];
    for (const h of cases) {
      const v = verifyWebhook({ secret, rawBody: body, headers: h, now });
      if (v.ok) throw new Error(`accepted ${JSON.stringify(h)}`);
      expect(v.reason).toMatch(/x-ca-(signature|timestamp)/);
      expect(v.reason).not.toContain(secret);
    }
  });
});
