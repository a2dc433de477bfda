import { z } from 'zod';
import { configErrorMap, formatIssues } from '../config/errors';
import { vendors } from '../config/names';
import { TriggerError } from './trigger-error';

// zod-free, so the handler can tell a rejected trigger without loading zod at init
export { TriggerError };

const isoWithZone = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time with a zone' });

/** EventBridge rule schedule (`aws.events`) or EventBridge Scheduler input shaped the same (`aws.scheduler`). */
export const scheduledEventSchema = z.looseObject({
  source: z.enum(['aws.events', 'aws.scheduler']),
  'detail-type': z.literal('Scheduled Event'),
  /** Scheduler: set the input's time to "<aws.scheduler.scheduled-time>". */
  time: isoWithZone.optional(),
  id: z.string().optional(),
  resources: z.array(z.string()).optional(),
});
export type ScheduledEvent = z.output<typeof scheduledEventSchema>;

export const cloudEventTypes = ['Instance Created', 'Instance Deleted', 'Spot Interruption'] as const;
export type CloudEventType = (typeof cloudEventTypes)[number];

export const cloudEventDetailSchema = z.object({
  vendor: z.enum(vendors),
  target: z.string().min(1),
  region: z.string().min(1),
  instanceId: z.string().min(1),
  /** When it happened at the vendor (reclaim time for Spot Interruption). */
  at: isoWithZone.optional(),
});
export type CloudEventDetail = z.output<typeof cloudEventDetailSchema>;

/** A vendor event normalised by the ingest handler onto our bus (design §6). */
export const cloudEventSchema = z.looseObject({
  source: z
    .string()
    .regex(/^cloud-automation\.[a-z0-9-]+$/, { error: 'expected "cloud-automation.<vendor>"' }),
  'detail-type': z.enum(cloudEventTypes),
  detail: cloudEventDetailSchema,
  id: z.string().optional(),
  time: isoWithZone.optional(),
});
export type CloudEvent = z.output<typeof cloudEventSchema>;

/** What an operator sends: dry run unless `"dryRun": false`. */
export const manualPayloadSchema = z.strictObject({
  dryRun: z.boolean().optional(),
  targets: z.array(z.string().min(1)).min(1).optional(),
  policies: z.array(z.string().min(1)).min(1).optional(),
  now: isoWithZone.optional(),
  /** Continuation of a run that stopped early (the summary's `continuation.cursor`). */
  cursor: z.unknown().optional(),
});
export type ManualPayload = z.output<typeof manualPayloadSchema>;

export type Trigger =
  | { kind: 'schedule'; scheduledAt?: string; event: ScheduledEvent }
  | { kind: 'event'; event: CloudEvent }
  | { kind: 'manual'; payload: ManualPayload };

const EXPECTED =
  'expected one of: an EventBridge scheduled event { source: "aws.events" | "aws.scheduler", "detail-type": "Scheduled Event", time }; ' +
  `a cloud-automation event { source: "cloud-automation.<vendor>", "detail-type": ${cloudEventTypes.map((t) => `"${t}"`).join(' | ')}, ` +
  'detail: { vendor, target, region, instanceId, at? } }; a manual payload { dryRun?, targets?, policies?, now? }';

/** Recognises the trigger; throws TriggerError naming what was expected. */
export function recognizeTrigger(event: unknown): Trigger {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new TriggerError(
      `unrecognised trigger (got ${event === null ? 'null' : Array.isArray(event) ? 'a list' : typeof event}): ${EXPECTED}`,
    );
  const e = event as Record<string, unknown>;
  if ('source' in e || 'detail-type' in e) {
    const source = typeof e.source === 'string' ? e.source : '';
    if (source === 'aws.events' || source === 'aws.scheduler') {
      const ev = parse(scheduledEventSchema, event, 'scheduled event');
      return {
        kind: 'schedule',
        scheduledAt: ev.time ? new Date(ev.time).toISOString() : undefined,
        event: ev,
      };
    }
    if (source.startsWith('cloud-automation.'))
      return { kind: 'event', event: parse(cloudEventSchema, event, 'cloud-automation event') };
    throw new TriggerError(`unrecognised event source ${JSON.stringify(e.source)}: ${EXPECTED}`);
  }
  return { kind: 'manual', payload: parse(manualPayloadSchema, event, 'manual payload') };
}

function parse<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const r = schema.safeParse(event, { error: configErrorMap, jitless: true });
  if (r.success) return r.data;
  const problems = formatIssues(r.error.issues, event).map((i) => `${i.path}: ${i.message}`);
  throw new TriggerError(`invalid ${what}: ${problems.join('; ')}. ${EXPECTED}`);
}
