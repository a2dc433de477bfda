import type { VendorName } from '../config/schema';
import type { EventPublisher } from '../audit/events';
import { cloudEventSchema } from '../runtime/triggers';
import type { ReplayGuard } from './replay';
import { MAX_SKEW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './signature';
import { isVendor, normaliseWebhook, webhookFormats } from './webhooks';

/** Larger bodies are refused before any parsing (a webhook is one small JSON object). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The parts of a Lambda function URL request (payload format 2.0) the ingest reads. */
export interface FunctionUrlRequest {
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IngestDeps {
  /** The HMAC key; read once per cold start by the caller. */
  secret(): Promise<string>;
  publisher(): Promise<EventPublisher>;
  /** Remembers accepted requests: the audit table when deployed, memory locally (replay.ts). */
  replay: ReplayGuard;
  now?: () => Date;
}

const reply = (statusCode: number, body: object): FunctionUrlResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const lowerCased = (headers: Record<string, string | undefined> = {}) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * POST <url>/<vendor> with a signed webhook body: verify, refuse a replay, validate, normalise,
 * put on the bus. 202 with the event on success; 400 (with the reason) for a bad body, 401 for a
 * bad signature, 409 for a request already accepted, all with nothing on the bus; 502 when the
 * bus refused the event (the claim is released: the sender's retry is accepted).
 */
export async function handleWebhook(request: FunctionUrlRequest, deps: IngestDeps): Promise<FunctionUrlResponse> {
  const method = request.requestContext?.http?.method ?? 'POST';
  if (method !== 'POST') return reply(405, { error: `use POST, not ${method}` });

  const vendor = (request.rawPath ?? '/').replace(/^\/+|\/+$/g, '');
  if (!isVendor(vendor))
    return reply(404, { error: `unknown path "/${vendor}": POST to /${Object.keys(webhookFormats).join(', /')}` });

  const rawBody = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  if (rawBody.length > MAX_BODY_BYTES) return reply(413, { error: `body is ${rawBody.length} bytes; at most ${MAX_BODY_BYTES}` });

  const now = deps.now?.() ?? new Date();
  const verdict = verifyWebhook({ secret: await deps.secret(), rawBody, headers: lowerCased(request.headers), now });
  if (!verdict.ok) return reply(401, { error: verdict.reason });

  // the MAC covers timestamp and body: the same value means the same request
  const headers = lowerCased(request.headers);
  const mac = headers[SIGNATURE_HEADER]!.slice('sha256='.length).toLowerCase();
  const signedAt = Number(headers[TIMESTAMP_HEADER]) * 1000;
  const claim = await deps.replay.claim(mac, new Date(signedAt + MAX_SKEW_MS + 60_000), now);
  if (!claim) return reply(409, { error: 'this signed request was already accepted (a replay); to send the event again, sign it with a new timestamp' });
  const answer = await accept(vendor, rawBody, now, deps);
  // only an accepted request stays remembered: a refused body or a bus failure may be sent again
  if (answer.statusCode !== 202) await claim.release();
  return answer;
}

async function accept(vendor: VendorName, rawBody: Buffer, now: Date, deps: IngestDeps): Promise<FunctionUrlResponse> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return reply(400, { error: 'body is not JSON', vendor });
  }
  const result = normaliseWebhook(vendor, body);
  if (!result.ok)
    return reply(400, { error: `invalid ${vendor} webhook: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems: result.problems });

  const { event } = result;
  // What the functions will parse: a normalised event they would refuse never goes on the bus.
  const check = cloudEventSchema.safeParse({ source: event.source, 'detail-type': event.detailType, detail: event.detail });
  if (!check.success) return reply(400, { error: `normalised event is invalid: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });

  const publisher = await deps.publisher();
  const { failed } = await publisher.publish([{ source: event.source, detailType: event.detailType, detail: event.detail, time: now.toISOString() }]);
  if (failed.length > 0) {
    const f = failed[0] as { errorCode?: string };
    return reply(502, { error: `the event bus refused the event (${f.errorCode ?? 'unknown error'}); retry later` });
  }
  return reply(202, { accepted: { source: event.source, 'detail-type': event.detailType, detail: event.detail } });
}
