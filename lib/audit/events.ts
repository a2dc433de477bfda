import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { redact } from './redact';

/** `source` of every event this project publishes. */
export const EVENT_SOURCE = 'cloud-automation';
export const DEFAULT_EVENTS_PATH = '.automation/events.jsonl';

/** PutEvents limits: 10 entries and 256 KB per call (entry size as AWS documents it). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export interface BusEvent {
  source: string;
  detailType: string;
  detail: object;
  /** UTC ISO time of the event; EventBridge stamps the put time when absent. */
  time?: string;
  resources?: string[];
}

/** A BusEvent that could not be delivered, with the last error seen. */
export interface FailedBusEvent extends BusEvent {
  errorCode: string;
  errorMessage: string;
}

/** Implementations return FailedBusEvent (a BusEvent with the error) in `failed`. */
export interface EventPublisher {
  publish(entries: BusEvent[]): Promise<{ failed: BusEvent[] }>;
}

/** Redacts the event (detail and all) and serialises the detail: what actually goes on the bus. */
function prepare(raw: BusEvent): { event: BusEvent; detailJson: string } {
  const event = redact(raw) as BusEvent;
  return { event, detailJson: JSON.stringify(event.detail ?? {}) };
}

/** Entry size per "Calculating PutEvents event entry size" (AWS EventBridge user guide). */
export function putEventsEntrySize(event: BusEvent, detailJson = JSON.stringify(event.detail)): number {
  let size = event.time !== undefined ? 14 : 0;
  size += Buffer.byteLength(event.source, 'utf8') + Buffer.byteLength(event.detailType, 'utf8');
  size += Buffer.byteLength(detailJson, 'utf8');
  for (const r of event.resources ?? []) size += Buffer.byteLength(r, 'utf8');
  return size;
}

function oversize(event: BusEvent, size: number): FailedBusEvent {
  return {
    ...event,
    errorCode: 'EntryTooLarge',
    errorMessage: `event entry is ${size} bytes; PutEvents accepts at most ${PUT_EVENTS_MAX_BYTES}. Publish a smaller detail (e.g. a reference to the audit record).`,
  };
}

/** Entry codes that a retry cannot fix. */
const PERMANENT_CODES = new Set(['MalformedDetail', 'InvalidArgument', 'ValidationException', 'NotAuthorizedForSourceException', 'AccessDeniedException']);

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  busName: string;
  /** Total attempts per entry, including the first (default 4). */
  maxAttempts?: number;
  /** Backoff before retry n is baseDelayMs·2^(n-1), jittered, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Pending {
  event: BusEvent;
  entry: PutEventsRequestEntry;
  size: number;
  lastError?: { code: string; message: string };
}

/** Publishes to an EventBridge bus with PutEvents, batched to the limits, retrying failed entries. */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: EventBridgePublisherOptions) {
    if (!options.busName) throw new Error('EventBridgePublisher: busName is required (the event bus name or ARN)');
    this.client = options.client;
    this.busName = options.busName;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
  }

  async publish(entries: BusEvent[]): Promise<{ failed: FailedBusEvent[] }> {
    const { accepted, failed } = screen(entries);
    let pending: Pending[] = [];
    for (const { event, detailJson, size } of accepted) {
      const entry: PutEventsRequestEntry = {
        EventBusName: this.busName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: detailJson,
        ...(event.time !== undefined && { Time: new Date(event.time) }),
        ...(event.resources !== undefined && { Resources: event.resources }),
      };
      pending.push({ event, entry, size });
    }

    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(this.backoff(attempt - 1));
      const retry: Pending[] = [];
      for (const batch of batches(pending)) {
        for (const p of await this.send(batch)) {
          const permanent = p.lastError !== undefined && PERMANENT_CODES.has(p.lastError.code);
          if (permanent || attempt >= this.maxAttempts) failed.push(asFailed(p));
          else retry.push(p);
        }
      }
      pending = retry;
    }
    return { failed };
  }

  /** Sends one batch; returns the entries that failed, each with its error. */
  private async send(batch: Pending[]): Promise<Pending[]> {
    try {
      // loaded on first publish: a function that publishes nothing never loads the SDK (cold start)
      const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
      const out = await this.client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
      if (!out.FailedEntryCount) return [];
      // Result entries are in request order (PutEvents API reference).
      return batch.flatMap((p, i) => {
        const r = out.Entries?.[i];
        if (r?.EventId && !r.ErrorCode) return [];
        p.lastError = { code: r?.ErrorCode ?? 'Unknown', message: r?.ErrorMessage ?? 'no result entry returned' };
        return [p];
      });
    } catch (err) {
      // The whole call failed (after the SDK's own retries): every entry in it is retried.
      const e = err as { name?: string; message?: string };
      for (const p of batch) p.lastError = { code: e.name ?? 'Error', message: e.message ?? String(err) };
      return batch;
    }
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function asFailed(p: Pending): FailedBusEvent {
  const error = redact(p.lastError ?? { code: 'Unknown', message: 'unknown failure' }) as { code: string; message: string };
  return { ...p.event, errorCode: error.code, errorMessage: error.message };
}

/** Greedy split into batches of at most 10 entries and 256 KB. */
function* batches(items: Pending[]): Generator<Pending[]> {
  let batch: Pending[] = [];
  let bytes = 0;
  for (const p of items) {
    if (batch.length > 0 && (batch.length >= PUT_EVENTS_MAX_ENTRIES || bytes + p.size > PUT_EVENTS_MAX_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += p.size;
  }
  if (batch.length > 0) yield batch;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The embedded default for local runs: keeps (redacted) events in memory and, given a path,
 * appends each as a JSON line there (e.g. DEFAULT_EVENTS_PATH). Enforces the same per-entry
 * size limit as EventBridge so local runs fail where deployed ones would.
 */
export class MemoryPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];

  constructor(private readonly options: { path?: string } = {}) {
    if (options.path) mkdirSync(dirname(options.path), { recursive: true });
  }

  async publish(entries: BusEvent[]): Promise<{ failed: FailedBusEvent[] }> {
    const { accepted, failed } = screen(entries);
    for (const { event } of accepted) {
      this.events.push(event);
      if (this.options.path) appendFileSync(this.options.path, `${JSON.stringify(event)}\n`);
    }
    return { failed };
  }
}

/** Redacts and sizes each entry; one over EventBridge's 256 KB limit fails at once, in every publisher alike. */
function screen(entries: BusEvent[]) {
  const accepted: { event: BusEvent; detailJson: string; size: number }[] = [];
  const failed: FailedBusEvent[] = [];
  for (const raw of entries) {
    const { event, detailJson } = prepare(raw);
    const size = putEventsEntrySize(event, detailJson);
    if (size > PUT_EVENTS_MAX_BYTES) failed.push(oversize(event, size));
    else accepted.push({ event, detailJson, size });
  }
  return { accepted, failed };
}

/**
 * Publishes every entry to each sink (the bus and the local file when both are configured: the
 * README's "and/or"). An entry counts as failed when any sink failed it, reported once.
 */
export class TeePublisher implements EventPublisher {
  constructor(private readonly sinks: EventPublisher[]) {
    if (!sinks.length) throw new Error('TeePublisher: at least one sink is required');
  }

  async publish(entries: BusEvent[]): Promise<{ failed: BusEvent[] }> {
    const results = await Promise.all(this.sinks.map((s) => s.publish(entries)));
    const failed: BusEvent[] = [];
    const seen = new Set<string>();
    for (const { failed: f } of results) {
      for (const e of f) {
        // every sink redacts the same way, so one entry has one identity across sinks
        const key = `${e.detailType}|${JSON.stringify(e.detail)}|${(e.resources ?? []).join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        failed.push(e);
      }
    }
    return { failed };
  }
}
