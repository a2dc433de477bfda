import { VendorError } from '../../lib/vendors/core';
import { clearRegisteredSecrets, isSecretKey, redact, redactText, registerSecret, REDACTED } from '../../lib/audit';

afterEach(() => clearRegisteredSecrets());

describe('redactText', () => {
  it('removes registered secrets wherever they occur, also URL-encoded', () => {
    registerSecret('s3cr3t/Key+9');
    const out = redactText(`failed with key s3cr3t/Key+9 (sent as ${encodeURIComponent('s3cr3t/Key+9')})`);
    expect(out).toBe(`failed with key ${REDACTED} (sent as ${REDACTED})`);
  });

  it('ignores secrets shorter than 4 characters', () => {
    registerSecret('abc');
    expect(redactText('abc abc')).toBe('abc abc');
    expect(redactText('xyz1 ok', ['xyz1', 'ok'])).toBe(`${REDACTED} ok`);
  });

  it('removes signature and token query parameters but keeps the rest of the URL', () => {
    const url =
      'https://ecs.example.com/?Action=DeleteInstance&InstanceId=i-1&Signature=abc%2Bdef%3D&SecurityToken=tok123&Timestamp=2026-03-01T00%3A00%3A00Z';
    expect(redactText(url)).toBe(
      `https://ecs.example.com/?Action=DeleteInstance&InstanceId=i-1&Signature=${REDACTED}&SecurityToken=${REDACTED}&Timestamp=2026-03-01T00%3A00%3A00Z`,
    );
    expect(redactText('GET /?X-Amz-Signature=deadbeef&X-Amz-Security-Token=FQoG')).toBe(
      `GET /?X-Amz-Signature=${REDACTED}&X-Amz-Security-Token=${REDACTED}`,
    );
  });

  it('removes signed Authorization values (TC3, SigV4), header lines and bearer tokens', () => {
    const tc3 =
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c';
    expect(redactText(`request failed: Authorization: ${tc3}\nHost: cvm`)).toBe(`request failed: Authorization: ${REDACTED}\nHost: cvm`);
    expect(redactText(tc3)).toBe(`TC3-HMAC-SHA256 ${REDACTED}`);
    const sigv4 = 'AWS4-HMAC-SHA256 Credential=AKIA/20260301/cn-beijing-6/kec/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
    expect(redactText(`{"authorization":"${sigv4}"}`)).toBe(`{"authorization":"${REDACTED}"}`);
    expect(redactText('Bearer eyJhbGciOi.abc.def')).toBe(`Bearer ${REDACTED}`);
    expect(redactText('X-TC-Token: tok-999')).toBe(`X-TC-Token: ${REDACTED}`);
  });

  it('leaves ordinary text alone and is idempotent', () => {
    const text = 'deleted ins-1 in ap-guangzhou at 2026-03-01T02:00:00.000Z (request 8e7f)';
    expect(redactText(text)).toBe(text);
    const once = redactText('Signature=abc&Authorization: x');
    expect(redactText(once)).toBe(once);
  });
});

describe('redact', () => {
  it('replaces values under secret-looking keys, case-insensitively, at any depth', () => {
    const out = redact({
      a: { AccessKeySecret: 'x', password: 'p', 'x-amz-security-token': 't', Authorization: 'h', SecretId: 'AKID', nested: [{ client_secret: { deep: 1 } }] },
      accessKeyId: 'AKID-public',
      name: 'web-1',
    });
    expect(out).toEqual({
      a: { AccessKeySecret: REDACTED, password: REDACTED, 'x-amz-security-token': REDACTED, Authorization: REDACTED, SecretId: REDACTED, nested: [{ client_secret: REDACTED }] },
      accessKeyId: 'AKID-public',
      name: 'web-1',
    });
    expect(['Credentials', 'sessionToken', 'Cookie', 'api_key', 'privateKey'].every(isSecretKey)).toBe(true);
    expect(['actionKey', 'resourceId', 'requestIds', 'reason'].some(isSecretKey)).toBe(false);
  });

  it('deep-copies to JSON shape without touching the input', () => {
    const input = { when: new Date('2026-03-01T00:00:00Z'), n: 1, skip: undefined, f: () => 1, list: [1, undefined], big: 10n };
    const out = redact(input);
    expect(out).toEqual({ when: '2026-03-01T00:00:00.000Z', n: 1, list: [1, null], big: '10' });
    expect(input.when).toBeInstanceOf(Date);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ a: 1, self: '[Circular]' });
  });

  it('turns a VendorError carrying the secret into a safe plain object', () => {
    registerSecret('sim-kec-secret');
    const err = new VendorError({ vendor: 'kec', action: 'DescribeInstances', code: 'SignatureDoesNotMatch', message: 'expected key sim-kec-secret', requestId: 'r-1' });
    const out = redact({ error: err }) as { error: Record<string, unknown> };
    expect(out.error).toMatchObject({ name: 'VendorError', vendor: 'kec', code: 'SignatureDoesNotMatch', requestId: 'r-1' });
    expect(JSON.stringify(out)).not.toContain('sim-kec-secret');
  });

  it('uses per-call secrets too', () => {
    expect(redact({ msg: 'token was hunter22' }, ['hunter22'])).toEqual({ msg: `token was ${REDACTED}` });
  });
});
