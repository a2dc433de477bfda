import type { CecstackSettings, Credentials } from '../core';

/**
 * Authentication is not in seed 003: the header section defers "签名计算、认证鉴权" to a separate
 * 《公共说明 API 参考》 we do not have (seed 003 L1234, L4687). So signing is a hook per target:
 * it receives the request about to be sent and returns the headers to add. Static-header schemes
 * ship here; an AK/SK request signer can implement the same interface (it sees method, URL,
 * headers and the exact body bytes, and is called afresh for every attempt).
 */
export interface SignableRequest {
  method: string;
  /** Full URL including the query string, exactly as sent. */
  url: string;
  /** Headers already set (lower-case names): `content-type`, `x-regionid`. */
  headers: Record<string, string>;
  body?: string;
}

export interface CecstackSigner {
  /** Headers to add to this request. Called per attempt with the real wall clock. */
  sign(request: SignableRequest, now: Date): Record<string, string> | Promise<Record<string, string>>;
}

/** Header names of the 'ak-header' scheme (our decision, DECISIONS.md D2). */
export const AK_HEADER_ID = 'x-access-key-id';
export const AK_HEADER_SECRET = 'x-access-key-secret';

export class SignerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignerConfigError';
  }
}

/**
 * 'bearer': `Authorization: Bearer <token or secret>`; with `auth.header` set, that header carries
 * the raw token instead (e.g. `X-Auth-Token`). 'ak-header': the key id and secret in two headers.
 */
export function staticHeaderSigner(auth: CecstackSettings['auth'], credentials: Credentials): CecstackSigner {
  if (auth.scheme === 'bearer') {
    const token = credentials.token ?? credentials.secret;
    if (!token) throw new SignerConfigError('cecstack auth.scheme "bearer" needs credentials.token or credentials.secret; set one of them');
    const header = auth.header?.trim();
    const headers = header ? { [header.toLowerCase()]: token } : { authorization: `Bearer ${token}` };
    return { sign: () => ({ ...headers }) };
  }
  if (auth.header !== undefined) {
    throw new SignerConfigError('cecstack auth.header applies to scheme "bearer" only; remove settings.auth.header for scheme "ak-header"');
  }
  if (!credentials.accessKeyId || !credentials.secret) {
    throw new SignerConfigError('cecstack auth.scheme "ak-header" needs credentials.accessKeyId and credentials.secret');
  }
  const headers = { [AK_HEADER_ID]: credentials.accessKeyId, [AK_HEADER_SECRET]: credentials.secret };
  return { sign: () => ({ ...headers }) };
}
