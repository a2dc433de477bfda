import { createHmac } from 'node:crypto';
import type { RenderedItem } from '../render';
import { itemLine, itemMarkdown, itemMrkdwn } from '../render';
import { bytes, clip, httpFailure, isOutcome, postJson, vendorCode, type Channel, type ChannelLimits, type OutMessage, type SendOutcome } from './channel';

/** Resolved at run time from env/SSM; never logged. */
export interface ChatSecrets {
  url: string;
  secret?: string;
}

export interface ChatOptions {
  name: string;
  secrets: ChatSecrets;
  perMinute?: number;
  /** Wall clock for signature timestamps (the vendor checks them against its own clock). */
  signNow?: () => number;
}

const SEP = '\n\n';
const mdBytes = (item: RenderedItem, mention: boolean, compact = false) => (compact ? bytes(itemLine(item, { mention })) + 1 : bytes(itemMarkdown(item, { mention })) + bytes(SEP));
const HEADER_RESERVE = 96; // header + "part i/n" marker

function markdownBody(message: OutMessage, mention: boolean, max: number, withHeader = true): string {
  const head = withHeader ? [`### ${message.header}`] : [];
  const text = message.compact
    ? [...head, message.items.map((i) => itemLine(i, { mention })).join('\n'), todos(message.items)].join(SEP)
    : [...head, ...message.items.map((i) => itemMarkdown(i, { mention }))].join(SEP);
  return clip(text, max);
}

/** Each distinct instruction once, as quotes (compact messages). */
export function todos(items: RenderedItem[]): string {
  return [...new Set(items.map((i) => i.todo))].map((t) => `> ${t}`).join('\n');
}

const throttled = (code: string, message: string, retryAfterMs: number): SendOutcome => ({ ok: false, kind: 'throttled', code, message, retryAfterMs });

/**
 * DingTalk custom robot. Security setting 加签: sign = urlEncode(base64(HmacSHA256(key = secret,
 * msg = timestamp + "\n" + secret))), timestamp in ms, both as query parameters. 20 messages a
 * minute per robot. Sources in lib/notify/DECISIONS.md.
 */
export function dingtalkChannel(o: ChatOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 18_000, maxItems: 200, perMinute: o.perMinute ?? 20 };
  return {
    name: o.name,
    type: 'dingtalk',
    limits,
    itemBytes: (i, compact) => mdBytes(i, true, compact),
    overheadBytes: (h) => bytes(h) + HEADER_RESERVE,
    async send(message) {
      let url = o.secrets.url;
      if (o.secrets.secret) {
        const ts = String((o.signNow ?? Date.now)());
        const sign = createHmac('sha256', o.secrets.secret).update(`${ts}\n${o.secrets.secret}`, 'utf8').digest('base64');
        url += `${url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${encodeURIComponent(sign)}`;
      }
      const mobiles = [...new Set(message.items.flatMap((i) => i.mobiles))];
      const body = {
        msgtype: 'markdown',
        markdown: { title: message.header, text: markdownBody(message, true, limits.maxBytes) },
        at: { atMobiles: mobiles, isAtAll: false },
      };
      const reply = await postJson(url, body);
      if (isOutcome(reply)) return reply;
      if (reply.status !== 200) return httpFailure(reply, 60_000);
      const v = vendorCode(reply.text);
      if (!v) return { ok: false, kind: 'transient', code: 'BadReply', message: 'DingTalk answered without errcode' };
      if (v.code === 0) return { ok: true };
      if (v.code === 130101) return throttled(String(v.code), v.message, 60_000); // send too fast
      // 310000: sign not match / keywords / IP not allowed; 300001, 300005: token missing or invalid
      if (v.code === 310000 || v.code === 300001 || v.code === 300005 || v.code === 400102) return { ok: false, kind: 'auth', code: String(v.code), message: v.message };
      return { ok: false, kind: v.code >= 500 && v.code < 600 ? 'transient' : 'rejected', code: String(v.code), message: v.message };
    },
  };
}

/** WeCom (企业微信) group robot: markdown content up to 4096 bytes, 20 messages a minute; the key is in the URL. */
export function wecomChannel(o: ChatOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 4096, maxItems: 200, perMinute: o.perMinute ?? 20 };
  return {
    name: o.name,
    type: 'wecom',
    limits,
    itemBytes: (i, compact) => mdBytes(i, false, compact),
    overheadBytes: (h) => bytes(h) + HEADER_RESERVE,
    async send(message) {
      const body = { msgtype: 'markdown', markdown: { content: markdownBody(message, false, limits.maxBytes) } };
      const reply = await postJson(o.secrets.url, body);
      if (isOutcome(reply)) return reply;
      if (reply.status !== 200) return httpFailure(reply, 60_000);
      const v = vendorCode(reply.text);
      if (!v) return { ok: false, kind: 'transient', code: 'BadReply', message: 'WeCom answered without errcode' };
      if (v.code === 0) return { ok: true };
      if (v.code === 45009 || v.code === 45033) return throttled(String(v.code), v.message, 60_000); // api freq out of limit
      if (v.code === 93000 || v.code === 40014 || v.code === 42001) return { ok: false, kind: 'auth', code: String(v.code), message: v.message }; // invalid webhook url / key
      if (v.code === -1) return { ok: false, kind: 'transient', code: '-1', message: v.message }; // system busy
      return { ok: false, kind: 'rejected', code: String(v.code), message: v.message };
    },
  };
}

/**
 * Feishu / Lark custom bot, interactive card. Signature: base64(HmacSHA256(key = timestamp +
 * "\n" + secret, msg = empty)), timestamp in seconds, both in the body. 100 a minute, 5 a second,
 * request body up to 20 KB.
 */
export function feishuChannel(o: ChatOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 17_000, maxItems: 200, perMinute: o.perMinute ?? 100, perSecond: 5 };
  return {
    name: o.name,
    type: 'feishu',
    limits,
    itemBytes: (i, compact) => mdBytes(i, false, compact),
    overheadBytes: (h) => bytes(h) + 512, // card JSON around the text
    async send(message) {
      const worst = message.items.some((i) => i.severity === 'critical') ? 'red' : message.items.some((i) => i.severity === 'warning') ? 'orange' : 'blue';
      const text = markdownBody(message, false, limits.maxBytes, false); // the card header carries the title
      const body: Record<string, unknown> = {
        msg_type: 'interactive',
        card: {
          config: { wide_screen_mode: true },
          header: { title: { tag: 'plain_text', content: message.header }, template: worst },
          elements: [{ tag: 'div', text: { tag: 'lark_md', content: text } }],
        },
      };
      if (o.secrets.secret) {
        const ts = String(Math.floor((o.signNow ?? Date.now)() / 1000));
        body.timestamp = ts;
        body.sign = createHmac('sha256', `${ts}\n${o.secrets.secret}`).update('').digest('base64');
      }
      const reply = await postJson(o.secrets.url, body);
      if (isOutcome(reply)) return reply;
      if (reply.status !== 200 && reply.status !== 400) return httpFailure(reply, 1_000);
      const v = vendorCode(reply.text);
      if (!v) return reply.status === 200 ? { ok: true } : httpFailure(reply, 1_000);
      if (v.code === 0) return { ok: true };
      if (v.code === 11232) return throttled(String(v.code), v.message, 1_000); // frequency limited
      // 19021 sign match fail or timestamp stale; 19022 IP not allowed; 19001 bad hook token
      if (v.code === 19021 || v.code === 19022 || v.code === 19001) return { ok: false, kind: 'auth', code: String(v.code), message: v.message };
      return { ok: false, kind: 'rejected', code: String(v.code), message: v.message };
    },
  };
}

/** Slack incoming webhook, Block Kit: a header and one section per notice (≤ 50 blocks, ≤ 3000 characters a section), about 1 message a second. */
export function slackChannel(o: ChatOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 36_000, maxItems: 49, perMinute: o.perMinute ?? 60, perSecond: 1 };
  return {
    name: o.name,
    type: 'slack',
    limits,
    itemBytes: (i) => bytes(clip(itemMrkdwn(i), 3000)),
    overheadBytes: (h) => bytes(h) + 64,
    async send(message) {
      const body = {
        text: message.header, // the notification fallback
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: clip(message.header, 150) } },
          ...message.items.map((i) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(itemMrkdwn(i), 3000) } })),
        ],
      };
      const reply = await postJson(o.secrets.url, body);
      if (isOutcome(reply)) return reply;
      if (reply.status === 200) return { ok: true };
      return httpFailure(reply, 1_000); // 400 invalid_payload; 403 invalid_token / action_prohibited; 404 no_service, channel_not_found; 410 channel_is_archived; 429
    },
  };
}

/** Generic JSON webhook, signed: X-Signature-256 = "sha256=" + hex(HmacSHA256(secret, timestamp + "." + body)), X-Signature-Timestamp in seconds. */
export function webhookChannel(o: ChatOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 200_000, maxItems: 100, perMinute: o.perMinute ?? 60 };
  return {
    name: o.name,
    type: 'webhook',
    limits,
    itemBytes: (i) => bytes(JSON.stringify(i)) + 1,
    overheadBytes: (h) => bytes(h) + 128,
    async send(message) {
      const body = JSON.stringify({ source: 'cloud-automation', header: message.header, notices: message.items.map(({ mobiles: _m, ...rest }) => rest) });
      const ts = String(Math.floor((o.signNow ?? Date.now)() / 1000));
      const sig = createHmac('sha256', o.secrets.secret ?? '').update(`${ts}.${body}`, 'utf8').digest('hex');
      const reply = await postJson(o.secrets.url, body, { 'x-signature-timestamp': ts, 'x-signature-256': `sha256=${sig}` });
      if (isOutcome(reply)) return reply;
      if (reply.status >= 200 && reply.status < 300) return { ok: true };
      return httpFailure(reply, 5_000);
    },
  };
}
