import type { AuditStore } from '../audit/store';
import type { AutomationConfig } from '../config/schema';
import type { Channel } from './channels/channel';
import { deliver, type DeliveryReport, type FailureSink, type NotifyLog } from './deliver';
import { AuditLedger } from './ledger';
import type { Clock, SlidingWindowLimiter, Sleep } from './limiter';
import type { IncomingEvent } from './notice';

/** SQS records whose body is an EventBridge event (the rule's target is the notify queue), or one event invoked directly. */
export interface SqsEvent {
  Records: { messageId: string; body: string }[];
}

export interface NotifyHandlerDeps {
  config(): Promise<AutomationConfig>;
  store(config: AutomationConfig): Promise<AuditStore>;
  channels(config: AutomationConfig): Promise<ReadonlyMap<string, Channel>>;
  failures: FailureSink;
  runId: string;
  /** Wall time for audit records (UTC ms). */
  now?: () => number;
  clock?: Clock;
  sleep?: Sleep;
  limiters?: Map<string, SlidingWindowLimiter>;
  log?: NotifyLog;
  shouldStop?: () => boolean;
}

export interface NotifyResult {
  batchItemFailures: { itemIdentifier: string }[];
  report: DeliveryReport;
}

const isSqs = (e: unknown): e is SqsEvent => Array.isArray((e as SqsEvent | undefined)?.Records);

/**
 * One invocation: every event in the batch is delivered together, so one run's notices share
 * messages. Records whose notices hit a throttle or a transient error are reported as batch item
 * failures: the queue redelivers them later and the ledger sends only what is not yet delivered.
 * After the queue's maxReceiveCount they land in its dead-letter queue; what can never be sent
 * (bad credentials, rejected, attempts exhausted) goes to the failure queue at once.
 */
export async function handleNotify(event: unknown, deps: NotifyHandlerDeps): Promise<NotifyResult> {
  const records = isSqs(event) ? event.Records : [{ messageId: 'direct', body: JSON.stringify(event) }];
  const parsed: { id: string; event: IncomingEvent }[] = [];
  for (const r of records) {
    try {
      parsed.push({ id: r.messageId, event: JSON.parse(r.body) as IncomingEvent });
    } catch {
      deps.log?.('warn', 'a queue message that is not JSON was dropped', { messageId: r.messageId });
    }
  }
  const config = await deps.config();
  const store = await deps.store(config);
  try {
    const report = await deliver(
      parsed.map((p) => p.event),
      {
        config: config.notifications,
        channels: await deps.channels(config),
        ledger: new AuditLedger({ store, runId: deps.runId, now: deps.now ?? Date.now }),
        failures: deps.failures,
        retryLater: true,
        ...(deps.clock && { clock: deps.clock }),
        ...(deps.sleep && { sleep: deps.sleep }),
        ...(deps.limiters && { limiters: deps.limiters }),
        ...(deps.log && { log: deps.log }),
        ...(deps.shouldStop && { shouldStop: deps.shouldStop }),
      },
    );
    const retry = new Set(report.retry);
    const batchItemFailures = parsed.filter((p) => retry.has(String((p.event.detail as { actionKey?: unknown } | undefined)?.actionKey))).map((p) => ({ itemIdentifier: p.id }));
    deps.log?.('info', 'notify finished', { report: { ...report, retry: report.retry.length } });
    return { batchItemFailures, report };
  } finally {
    await store.close?.();
  }
}
