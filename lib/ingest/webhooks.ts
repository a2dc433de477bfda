import { z } from 'zod';
import { configErrorMap, formatIssues } from '../config/errors';
import { vendors, type VendorName } from '../config/schema';
import { parseBeijingWallTime, parseIsoWithZone, parseUtcMinutes } from '../vendors/core';
import type { CloudEventDetail, CloudEventType } from '../runtime/triggers';

/**
 * The webhook body each vendor's bridge POSTs to `<function url>/<vendor>`. The seeds define no
 * webhook format, so each shape is ours (lib/ingest/DECISIONS.md), in the vendor's own API
 * vocabulary and time format so a bridge only forwards what the vendor reports.
 */
interface WebhookFormat<S extends z.ZodType> {
  schema: S;
  /** Event names in the body → our detail-type. */
  eventTypes: Record<string, CloudEventType>;
  /** Body → our detail; `time` is parsed by the vendor's one time parser. */
  toDetail(body: z.output<S>): { eventName: string; target: string; region: string; instanceId: string; time?: string };
  parseTime(value: string): string;
  /** Path of the time field, for error messages. */
  timeField: string;
}

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

function format<S extends z.ZodType>(f: WebhookFormat<S>): WebhookFormat<S> {
  return f;
}

const tencentTypes = { InstanceCreated: 'Instance Created', InstanceDeleted: 'Instance Deleted', SpotInstanceInterruption: 'Spot Interruption' } as const;
const kecTypes = { InstanceCreated: 'Instance Created', InstanceDeleted: 'Instance Deleted', SpotRecycling: 'Spot Interruption' } as const;
const alibabaTypes = {
  'Instance:Created': 'Instance Created',
  'Instance:Deleted': 'Instance Deleted',
  'Instance:PreemptibleInstanceInterruption': 'Spot Interruption',
} as const;
const cecstackTypes = { 'instance.created': 'Instance Created', 'instance.deleted': 'Instance Deleted', 'instance.spot-interruption': 'Spot Interruption' } as const;

const enumOf = <T extends Record<string, string>>(types: T) => z.enum(Object.keys(types) as [keyof T & string, ...(keyof T & string)[]]);

/** The `{ Target, Region, EventType, InstanceId, EventTime }` shape Tencent and KEC webhooks share. */
function pascalCaseFormat<T extends Record<string, CloudEventType>>(types: T, hints: { region: string; instance: string; time: string; parseTime: (s: string) => string }) {
  return format({
    schema: z.strictObject({
      Target: text('the target name from the automation config'),
      Region: text(hints.region),
      EventType: enumOf(types),
      InstanceId: text(hints.instance),
      EventTime: text(hints.time).optional(),
    }),
    eventTypes: types,
    toDetail: (b) => ({ eventName: b.EventType, target: b.Target, region: b.Region, instanceId: b.InstanceId, time: b.EventTime }),
    parseTime: hints.parseTime,
    timeField: 'EventTime',
  });
}

export const webhookFormats = {
  // Tencent CVM: PascalCase fields, UTC ISO-8601 times like CreatedTime (seed 004 L2278).
  tencent: pascalCaseFormat(tencentTypes, {
    region: 'a Tencent region id like "ap-guangzhou"',
    instance: 'a CVM instance id like "ins-xxxxxxxx"',
    time: 'an ISO-8601 time with zone',
    parseTime: parseIsoWithZone,
  }),
  // Kingsoft KEC: PascalCase fields, Beijing wall time like SpotRecyclingTime (seed 000 L6405-6410).
  kec: pascalCaseFormat(kecTypes, {
    region: 'a KEC region id like "cn-beijing-6"',
    instance: 'a KEC instance id',
    time: 'a Beijing time like "2026-11-24 10:00:00"',
    parseTime: parseBeijingWallTime,
  }),
  // Alibaba Apsara ECS: RegionId (seed 001 L796), UTC minute times like CreationTime (seed 001 L1813).
  alibaba: format({
    schema: z.strictObject({
      Target: text('the target name from the automation config'),
      RegionId: text('an Apsara region id'),
      EventName: enumOf(alibabaTypes),
      InstanceId: text('an ECS instance id like "i-xxxxxxxx"'),
      EventTime: text('a UTC time like "2026-11-24T02:00Z"').optional(),
    }),
    eventTypes: alibabaTypes,
    toDetail: (b) => ({ eventName: b.EventName, target: b.Target, region: b.RegionId, instanceId: b.InstanceId, time: b.EventTime }),
    parseTime: parseUtcMinutes,
    timeField: 'EventTime',
  }),
  // CECSTACK ECS: REST JSON, camelCase `instanceId` (seed 003 L6444), RFC 3339 times.
  cecstack: format({
    schema: z.strictObject({
      target: text('the target name from the automation config'),
      region: text('a CECSTACK region id'),
      eventType: enumOf(cecstackTypes),
      instanceId: text('an instance id like "ecs-xxxxxxxx"'),
      eventTime: text('an RFC 3339 time with zone').optional(),
    }),
    eventTypes: cecstackTypes,
    toDetail: (b) => ({ eventName: b.eventType, target: b.target, region: b.region, instanceId: b.instanceId, time: b.eventTime }),
    parseTime: parseIsoWithZone,
    timeField: 'eventTime',
  }),
} satisfies { [V in VendorName]: WebhookFormat<z.ZodType> };

export function isVendor(name: string): name is VendorName {
  return (vendors as readonly string[]).includes(name);
}

/** A normalised cloud event, as it goes onto the bus (and as lib/runtime/triggers.ts accepts it). */
export interface NormalisedEvent {
  source: `cloud-automation.${VendorName}`;
  detailType: CloudEventType;
  detail: CloudEventDetail;
}

export type Normalised = { ok: true; event: NormalisedEvent } | { ok: false; problems: { path: string; message: string }[] };

/** Validates one vendor webhook body and maps it to our cloud event. */
export function normaliseWebhook(vendor: VendorName, body: unknown): Normalised {
  const f = webhookFormats[vendor] as WebhookFormat<z.ZodType>;
  const parsed = f.schema.safeParse(body, { error: configErrorMap });
  if (!parsed.success)
    return { ok: false, problems: formatIssues(parsed.error.issues, body).map(({ path, message }) => ({ path, message })) };
  const d = f.toDetail(parsed.data);
  let at: string | undefined;
  if (d.time !== undefined) {
    try {
      at = f.parseTime(d.time);
    } catch (e) {
      return { ok: false, problems: [{ path: f.timeField, message: (e as Error).message }] };
    }
  }
  const detailType = f.eventTypes[d.eventName] as CloudEventType;
  return {
    ok: true,
    event: {
      source: `cloud-automation.${vendor}`,
      detailType,
      detail: { vendor, target: d.target, region: d.region, instanceId: d.instanceId, ...(at !== undefined && { at }) },
    },
  };
}
