import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed with the ingest secret. */
export const SIGNATURE_HEADER = 'x-ca-signature';
/** Unix seconds when the sender signed; part of the signed text, so it cannot be swapped. */
export const TIMESTAMP_HEADER = 'x-ca-timestamp';
/** Requests signed longer ago than this are refused as replays (and remembered this long: replay.ts). */
export const MAX_SKEW_MS = 5 * 60_000;
/** A timestamp further ahead than this is refused: a sender's clock drift, not a pre-signed request. */
export const MAX_FUTURE_SKEW_MS = 30_000;

const HEX_SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

function mac(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The two headers a sender adds (what docs/deploy.md shows with openssl). */
export function signWebhook(secret: string, rawBody: Buffer | string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${mac(secret, timestamp, body).toString('hex')}` };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks the timestamp window, then the MAC with a constant-time compare. Reasons name the
 * header and what was wrong, never the secret or the expected value.
 */
export function verifyWebhook(input: {
  secret: string;
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
  now: Date;
}): Verdict {
  const timestamp = input.headers[TIMESTAMP_HEADER];
  const signature = input.headers[SIGNATURE_HEADER];
  if (!timestamp) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header (unix seconds when signed)` };
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header (sha256=<hex HMAC-SHA256>)` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be unix seconds` };
  const age = input.now.getTime() - Number(timestamp) * 1000;
  if (age > MAX_SKEW_MS)
    return { ok: false, reason: `${TIMESTAMP_HEADER} is more than ${MAX_SKEW_MS / 60_000} minutes old: refused as a replay` };
  if (-age > MAX_FUTURE_SKEW_MS)
    return { ok: false, reason: `${TIMESTAMP_HEADER} is more than ${MAX_FUTURE_SKEW_MS / 1000} s ahead of now: refused (check the sender's clock)` };
  const hex = HEX_SIGNATURE.exec(signature)?.[1];
  if (!hex) return { ok: false, reason: `${SIGNATURE_HEADER} must be "sha256=" followed by 64 hex digits` };
  const expected = mac(input.secret, timestamp, input.rawBody);
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex')))
    return { ok: false, reason: `${SIGNATURE_HEADER} does not match the body and timestamp` };
  return { ok: true };
}
