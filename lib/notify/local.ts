import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_EVENTS_PATH } from '../audit/events';
import { auditStoreConfigOf, openAuditStore } from '../audit/open';
import type { AutomationConfig } from '../config/schema';
import { buildChannels } from './channels';
import { deliver, type DeliveryReport, type FailedDelivery, type FailureSink } from './deliver';
import { AuditLedger } from './ledger';
import type { IncomingEvent } from './notice';

export const DEFAULT_FAILURES_PATH = '.automation/notify-failures.jsonl';

/** Local runs: what cannot be delivered is appended here as JSON lines. */
export function fileFailureSink(path = DEFAULT_FAILURES_PATH): FailureSink {
  return {
    async put(entries: FailedDelivery[]) {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    },
  };
}

/** True when local runs should deliver: channels configured and no bus (a bus means the deployed notify function delivers). */
export function deliversLocally(config: AutomationConfig): boolean {
  return config.notifications.channels.length > 0 && !config.events.busName;
}

/** The events one run published to the local events file (JSON lines of BusEvent). */
export function eventsOfRun(path: string, runId: string): IncomingEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as IncomingEvent)
    .filter((e) => (e.detail as { runId?: string } | undefined)?.runId === runId);
}

/**
 * The local delivery path (CLI `apply`, `npm start -- --enforce`): the same deliver() as the
 * deployed function, over the configured audit store, waiting out rate limits in-process.
 */
export async function deliverLocally(config: AutomationConfig, events: IncomingEvent[], options: { runId: string; failuresPath?: string; env?: Record<string, string | undefined> } = { runId: 'local' }): Promise<DeliveryReport> {
  const store = await openAuditStore(auditStoreConfigOf(config.audit));
  try {
    return await deliver(events, {
      config: config.notifications,
      channels: await buildChannels(config.notifications, options.env ? { env: options.env } : {}),
      ledger: new AuditLedger({ store, runId: options.runId, now: Date.now }),
      failures: fileFailureSink(options.failuresPath),
      retryLater: false,
    });
  } finally {
    await store.close?.();
  }
}

/** One line for people: what went where. */
export function formatDelivery(r: DeliveryReport): string {
  const parts = Object.entries(r.channels).map(([name, c]) => `${name}: ${c.delivered} in ${c.messages} message${c.messages === 1 ? '' : 's'}${c.alreadySent ? `, ${c.alreadySent} already sent` : ''}${c.failed ? `, ${c.failed} failed` : ''}`);
  return `notifications: ${r.notices} notice${r.notices === 1 ? '' : 's'}${parts.length ? ` → ${parts.join('; ')}` : ''}${r.unrouted ? ` (${r.unrouted} matched no route)` : ''}`;
}

/**
 * The CLI and `npm start` hook: when channels are configured and no bus is, runs write their
 * events to a file (the configured one, else DEFAULT_EVENTS_PATH) and each run's notices are
 * delivered right after it. Returns undefined when there is nothing to deliver locally.
 */
export function localNotifier(config: AutomationConfig, out: (line: string) => void) {
  if (!deliversLocally(config)) return undefined;
  const eventsPath = config.events.file ?? DEFAULT_EVENTS_PATH;
  const runConfig: AutomationConfig = config.events.file ? config : { ...config, events: { ...config.events, file: eventsPath } };
  return {
    config: runConfig,
    /** Delivers one run's notices; returns how many failed (for the exit code). */
    async afterRun(report: { runId: string }): Promise<number> {
      const events = eventsOfRun(eventsPath, report.runId);
      if (!events.length) return 0;
      const r = await deliverLocally(runConfig, events, { runId: `notify-${report.runId}` });
      out(`  ${formatDelivery(r)}`);
      for (const e of r.errors) out(`  error: ${e}`);
      return r.errors.length + Object.values(r.channels).reduce((a, c) => a + c.failed, 0);
    },
  };
}
