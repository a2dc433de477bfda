import { redact } from '../audit/redact';
import type { NotificationsConfig } from '../config/notifications';
import type { Channel, OutMessage, SendOutcome } from './channels/channel';
import { todos } from './channels/chat';
import type { Claim, DeliveryLedger } from './ledger';
import { realClock, realSleep, SlidingWindowLimiter, type Clock, type Sleep } from './limiter';
import { NotANotice, toNotice, type IncomingEvent, type Notice } from './notice';
import { renderNotice, texts, type RenderedItem } from './render';
import { routeNotice } from './route';

/** A notice that cannot be delivered: what the failure queue receives (no secrets, no URLs). */
export interface FailedDelivery {
  noticeKey: string;
  detailType: string;
  channel: string;
  code: string;
  message: string;
  detail: Record<string, unknown>;
}

export interface FailureSink {
  put(entries: FailedDelivery[]): Promise<void>;
}

export type NotifyLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface DeliverDeps {
  config: NotificationsConfig;
  channels: ReadonlyMap<string, Channel>;
  ledger: DeliveryLedger;
  /** Monotonic ms for rate limits and waits, and how to wait: tests inject both. */
  clock?: Clock;
  sleep?: Sleep;
  /** Kept across invocations of a warm function so the per-minute windows hold. */
  limiters?: Map<string, SlidingWindowLimiter>;
  failures?: FailureSink;
  /** true (the deployed function): throttled/transient failures are left to the queue's redelivery; false (local): they go to the failure sink. */
  retryLater?: boolean;
  log?: NotifyLog;
  /** True when the invocation is near its end: no new send starts, the rest is left to a retry. */
  shouldStop?: () => boolean;
}

export interface ChannelReport {
  messages: number;
  delivered: number;
  alreadySent: number;
  inFlight: number;
  failed: number;
}

export interface DeliveryReport {
  events: number;
  notices: number;
  /** Events that are not notices (successful actions, other detail-types). */
  ignored: number;
  /** Notices no route sends anywhere. */
  unrouted: number;
  channels: Record<string, ChannelReport>;
  /** One line per channel that refused our credentials, and per unexpected failure. */
  errors: string[];
  /** Notice keys whose delivery should be retried later (throttled or transient past this invocation's patience). */
  retry: string[];
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** Turns bus events into messages: normalise, route, claim once, render, group, send within limits, record. */
export async function deliver(events: IncomingEvent[], deps: DeliverDeps): Promise<DeliveryReport> {
  const clock = deps.clock ?? realClock;
  const sleep = deps.sleep ?? realSleep;
  const limiters = deps.limiters ?? new Map<string, SlidingWindowLimiter>();
  const report: DeliveryReport = { events: events.length, notices: 0, ignored: 0, unrouted: 0, channels: {}, errors: [], retry: [] };

  const notices = new Map<string, Notice>();
  for (const e of events) {
    try {
      const n = toNotice(e);
      if (!notices.has(n.key)) notices.set(n.key, n);
    } catch (err) {
      if (!(err instanceof NotANotice)) throw err;
      report.ignored++;
    }
  }
  report.notices = notices.size;

  // bucket per channel, then per run: one run's notices for one channel share messages
  const buckets = new Map<string, Map<string, Notice[]>>();
  for (const n of notices.values()) {
    const routed = routeNotice(n, deps.config).filter((c) => deps.channels.has(c));
    if (!routed.length) report.unrouted++;
    for (const c of routed) {
      const runs = buckets.get(c) ?? new Map<string, Notice[]>();
      runs.set(n.runId, [...(runs.get(n.runId) ?? []), n]);
      buckets.set(c, runs);
    }
  }

  const sink: FailedDelivery[] = [];
  for (const [channelName, runs] of buckets) {
    const channel = deps.channels.get(channelName)!;
    const r: ChannelReport = (report.channels[channelName] = { messages: 0, delivered: 0, alreadySent: 0, inFlight: 0, failed: 0 });
    let limiter = limiters.get(channelName);
    if (!limiter) limiters.set(channelName, (limiter = new SlidingWindowLimiter(channel.limits.perMinute, channel.limits.perSecond, clock)));
    const cfg = deps.config.channels.find((c) => c.name === channelName);
    const language = cfg?.language ?? deps.config.language;
    const timeZone = cfg?.timeZone ?? deps.config.timeZone;
    let dead: SendOutcome | undefined;

    for (const group of runs.values()) {
      const claimed: { notice: Notice; claim: Extract<Claim, { state: 'claimed' }>; item: RenderedItem }[] = [];
      for (const notice of group) {
        const claim = await deps.ledger.claim(notice, channelName);
        if (claim.state === 'done') r.alreadySent++;
        else if (claim.state === 'busy') r.inFlight++;
        else if (claim.state === 'exhausted') {
          r.failed++;
          sink.push(failed(notice, channelName, 'AttemptsExhausted', `gave up after ${claim.attempts} attempts`));
        } else {
          const item = renderNotice(notice, { language, timeZone, consoleLinks: deps.config.consoleLinks, owners: deps.config.owners });
          claimed.push({ notice, claim, item });
        }
      }
      claimed.sort((a, b) => SEVERITY_ORDER[a.item.severity] - SEVERITY_ORDER[b.item.severity] || (a.notice.dueAt ?? '~').localeCompare(b.notice.dueAt ?? '~'));

      const t = texts(language);
      const header = t.header(claimed.length);
      const compact = claimed.length > deps.config.compactAbove;
      const parts = pack(channel, claimed, header, compact);
      for (const [i, part] of parts.entries()) {
        const message: OutMessage = { header: parts.length > 1 ? `${header} · ${t.part(i + 1, parts.length)}` : header, items: part.map((p) => p.item), texts: t, compact };
        const outcome: SendOutcome = dead ?? (await sendWithin(channel, limiter, message, sleep, deps.config.maxWaitSeconds * 1000, deps.shouldStop));
        if (outcome.ok) {
          r.messages++;
          r.delivered += part.length;
          for (const p of part) await deps.ledger.complete(p.notice, channelName, p.claim, { ok: true, details: { part: i + 1, parts: parts.length, ...(outcome.messageId && { messageId: outcome.messageId }) } });
          continue;
        }
        if (outcome.kind === 'auth' && !dead) {
          dead = outcome;
          const line = `notifications channel "${channelName}" (${channel.type}) refused the request: ${outcome.code} ${outcome.message}. Check its URL/secret (notifications.channels[].url / secret); nothing more is sent to it in this run.`;
          report.errors.push(line);
          deps.log?.('error', line, { channel: channelName, code: outcome.code });
        }
        const retryable = (outcome.kind === 'throttled' || outcome.kind === 'transient') && deps.retryLater;
        for (const p of part) {
          r.failed++;
          await deps.ledger.complete(p.notice, channelName, p.claim, { ok: false, code: outcome.code, message: outcome.message });
          if (retryable) report.retry.push(p.notice.key);
          else sink.push(failed(p.notice, channelName, outcome.code, outcome.message));
        }
      }
    }
  }
  if (sink.length && deps.failures) await deps.failures.put(sink);
  if (sink.length) deps.log?.('warn', 'notices that could not be delivered went to the failure queue', { count: sink.length });
  return report;
}

function failed(n: Notice, channel: string, code: string, message: string): FailedDelivery {
  return redact({ noticeKey: n.key, detailType: n.type, channel, code, message, detail: n.detail }) as FailedDelivery;
}

/** Greedy packing in order: a part closes when the next item would pass the byte or item limit. */
export function pack<T extends { item: RenderedItem }>(channel: Channel, entries: T[], header: string, compact = false): T[][] {
  // compact messages state each distinct instruction once: reserve room for all of them
  const todoBytes = compact ? Buffer.byteLength(todos(entries.map((e) => e.item)), 'utf8') + 2 : 0;
  const budget = channel.limits.maxBytes - channel.overheadBytes(header) - todoBytes;
  const parts: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const e of entries) {
    const size = channel.itemBytes(e.item, compact);
    if (current.length && (used + size > budget || current.length >= channel.limits.maxItems)) {
      parts.push(current);
      current = [];
      used = 0;
    }
    current.push(e);
    used += size; // an item larger than the budget travels alone, clipped by the channel
  }
  if (current.length) parts.push(current);
  return parts;
}

/** One message: wait for the rate limit, send, and on "too fast" or a transient error wait and retry — never past maxWaitMs at once. */
async function sendWithin(channel: Channel, limiter: SlidingWindowLimiter, message: OutMessage, sleep: Sleep, maxWaitMs: number, shouldStop?: () => boolean): Promise<SendOutcome> {
  let last: SendOutcome = { ok: false, kind: 'transient', code: 'NotSent', message: 'not sent' };
  for (let attempt = 1; attempt <= 4; attempt++) {
    if (shouldStop?.()) return { ok: false, kind: 'transient', code: 'Deferred', message: 'the invocation is near its timeout; left to a retry' };
    const wait = limiter.wait();
    if (wait > maxWaitMs) return { ok: false, kind: 'throttled', code: last.ok ? 'Deferred' : last.code, message: `rate limit: next send allowed in ${Math.ceil(wait / 1000)} s, more than notifications.maxWaitSeconds` };
    if (wait > 0) await sleep(wait);
    limiter.sent();
    last = await channel.send(message);
    if (last.ok || last.kind === 'auth' || last.kind === 'rejected') return last;
    if (last.kind === 'throttled') limiter.hold(last.retryAfterMs ?? 60_000);
    else await sleep(Math.min(maxWaitMs, 500 * 2 ** (attempt - 1)));
  }
  return last;
}
