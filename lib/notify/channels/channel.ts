import { redactText } from '../../audit/redact';
import type { RenderedItem, Texts } from '../render';

/** What a send came to. `auth`: bad URL/token/signature (fail loudly, stop the channel); `throttled` and `transient`: retry; `rejected`: this message can never be sent. */
export type SendOutcome =
  | { ok: true; messageId?: string }
  | { ok: false; kind: 'throttled' | 'transient' | 'auth' | 'rejected'; code: string; message: string; retryAfterMs?: number };

export interface ChannelLimits {
  /** Bytes (UTF-8) of the content the vendor counts; grouping stays under it. */
  maxBytes: number;
  /** Notices per message (e.g. Slack's 50 blocks). */
  maxItems: number;
  perMinute: number;
  perSecond?: number;
}

/** One message: a run's notices for one channel, or the part of them that fits. */
export interface OutMessage {
  header: string;
  items: RenderedItem[];
  texts: Texts;
  /** One line per notice, each distinct `todo` once (many notices in one message). */
  compact?: boolean;
}

export interface Channel {
  readonly name: string;
  readonly type: string;
  readonly limits: ChannelLimits;
  /** Bytes one item adds to the counted content (with its separator). */
  itemBytes(item: RenderedItem, compact?: boolean): number;
  /** Bytes of everything but the items (header, part marker), at most. */
  overheadBytes(header: string): number;
  send(message: OutMessage): Promise<SendOutcome>;
}

export const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cuts a string to at most `max` UTF-8 bytes, on a character boundary, marking the cut. */
export function clip(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (bytes(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out}…`;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

/** POSTs JSON; network errors and timeouts come back as a transient outcome, never with the URL (it holds the key). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpReply | SendOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string } };
    return { ok: false, kind: 'transient', code: err.cause?.code ?? err.name ?? 'NetworkError', message: 'the request did not complete' };
  }
}

export function isOutcome(r: HttpReply | SendOutcome): r is SendOutcome {
  return 'ok' in r;
}

/** Retry-After in seconds (RFC 9110 delta-seconds form), as ms. */
export function retryAfterMs(headers: Headers, fallbackMs: number): number {
  const v = Number(headers.get('retry-after'));
  return Number.isFinite(v) && v > 0 ? v * 1000 : fallbackMs;
}

/** Vendor JSON `{ errcode/code, errmsg/msg }`, or undefined for a non-JSON body. */
export function vendorCode(text: string): { code: number; message: string } | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const code = j.errcode ?? j.code ?? j.StatusCode;
    if (typeof code !== 'number') return undefined;
    return { code, message: redactText(String(j.errmsg ?? j.msg ?? j.StatusMessage ?? '')) };
  } catch {
    return undefined;
  }
}

/** HTTP status classes shared by every channel: 429 and 5xx retry, 401/403 are the credential. */
export function httpFailure(reply: HttpReply, throttleFallbackMs: number): SendOutcome {
  const message = redactText(reply.text.slice(0, 200));
  if (reply.status === 429) return { ok: false, kind: 'throttled', code: 'HTTP429', message, retryAfterMs: retryAfterMs(reply.headers, throttleFallbackMs) };
  if (reply.status >= 500) return { ok: false, kind: 'transient', code: `HTTP${reply.status}`, message };
  if (reply.status === 401 || reply.status === 403 || reply.status === 404 || reply.status === 410) return { ok: false, kind: 'auth', code: `HTTP${reply.status}`, message };
  return { ok: false, kind: 'rejected', code: `HTTP${reply.status}`, message };
}
