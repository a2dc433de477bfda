import { z } from 'zod';
import { vendorEndpoint, vendorSettings } from '../vendors/core/settings';
import { checkCrossFields } from './cross-checks';
import { bool, clockTime, decimal, duration, durationMs, int, isoInstant, name, nonEmpty, timeZone } from './fields';
import { notificationsSchema } from './notifications';
import { functionPolicyKey, type FunctionName, type VendorName } from './names';

/**
 * The automation config: one YAML file (design §4). Every object is strict so a typo is an
 * error, every default is applied here, and the JSON Schema for editors is generated from this
 * same schema (scripts/write-schema.ts).
 */

export { vendors, type VendorName, functionPolicyKey, type FunctionName, functionNames } from './names';

// ---------------------------------------------------------------- targets

const envName = nonEmpty('the name of an environment variable');
const parameterName = nonEmpty('the name of an SSM parameter');

/** Where credentials come from: environment variables or SSM parameters, never the file. */
export const credentialsSourceSchema = z.union([
  z.strictObject({ accessKeyIdEnv: envName, secretEnv: envName, tokenEnv: envName.optional() }),
  z.strictObject({
    accessKeyIdParameter: parameterName,
    secretParameter: parameterName,
    tokenParameter: parameterName.optional(),
  }),
]);
export type CredentialsSource = z.output<typeof credentialsSourceSchema>;

const regionList = z
  .array(nonEmpty('a region id'), { error: 'expected a list of region ids' })
  .min(1, { error: 'expected at least one region' });

const targetCommon = {
  name,
  regions: regionList,
  endpoint: vendorEndpoint('https://cvm.tencentcloudapi.com').optional(),
  credentials: credentialsSourceSchema,
  operatorCredentials: credentialsSourceSchema.optional(),
};

/** Settings are validated by the vendor's own schema (lib/vendors/core/settings.ts). */
function targetOf<V extends VendorName, S extends z.ZodType>(vendor: V, settings: S) {
  return z.strictObject({ ...targetCommon, vendor: z.literal(vendor), settings });
}

export const targetSchema = z.discriminatedUnion('vendor', [
  targetOf('tencent', vendorSettings.tencent.prefault({})),
  targetOf('kec', vendorSettings.kec.prefault({})),
  targetOf('alibaba', vendorSettings.alibaba.prefault({})),
  targetOf('cecstack', vendorSettings.cecstack.prefault({})),
]);
export type Target = z.output<typeof targetSchema>;
export type TargetOf<V extends VendorName> = Extract<Target, { vendor: V }>;

// ---------------------------------------------------------------- policy common parts

export const chargeTypes = ['prepaid', 'postpaid', 'spot', 'other'] as const;

export const selectorSchema = z
  .strictObject({
    /** Tag key -> value; '*' matches any value. */
    tags: z
      .record(nonEmpty('a tag key'), z.string({ error: 'expected a tag value (quote it; "*" = any value)' }))
      .optional(),
    /** Glob patterns on the instance name; `*` matches any run of characters. */
    names: z.array(nonEmpty('a name pattern')).optional(),
    ids: z.array(nonEmpty('a resource id')).optional(),
    projects: z.array(nonEmpty('a project id')).optional(),
    chargeTypes: z.array(z.enum(chargeTypes)).optional(),
  })
  .prefault({});
export type Selector = z.output<typeof selectorSchema>;

export const exemptionsSchema = z
  .strictObject({
    /** Resources carrying this tag/label are skipped; value `true` or an ISO expiry. */
    tag: nonEmpty('a tag key').default('automation-exempt'),
    entries: z
      .array(
        z.strictObject({
          id: nonEmpty('a resource id'),
          until: isoInstant.optional(),
          reason: z.string().optional(),
        }),
      )
      .default([]),
  })
  .prefault({});
export type Exemptions = z.output<typeof exemptionsSchema>;

export const modes = ['dry-run', 'enforce'] as const;
export type Mode = (typeof modes)[number];

const policyCommon = {
  name,
  /** Target names; default every target. */
  targets: z
    .array(name)
    .min(1, { error: 'expected at least one target name (omit the key for all targets)' })
    .optional(),
  /** Subset of the targets' regions; default each target's own. */
  regions: regionList.optional(),
  mode: z.enum(modes).default('dry-run'),
  selector: selectorSchema,
  exemptions: exemptionsSchema,
};

// ---------------------------------------------------------------- the five functions

export const autoDeletePolicySchema = z.strictObject({
  ...policyCommon,
  source: z
    .strictObject({
      /** Tag/label holding the deletion time (ISO with zone). */
      tag: nonEmpty('a tag key').optional(),
      /** Delete this long after creation. */
      ttl: duration.optional(),
      list: z.array(z.strictObject({ id: nonEmpty('a resource id'), at: isoInstant })).optional(),
    })
    .refine((s) => s.tag !== undefined || s.ttl !== undefined || s.list !== undefined, {
      error: 'expected at least one of tag, ttl or list',
    })
    .prefault({ tag: 'auto-delete-at' }),
  /** Publish a warning this long before the deletion. */
  warnBefore: duration.optional(),
  /** Tag naming the owner, for the per-owner daily digest of warnings. */
  ownerTag: nonEmpty('a tag key').default('owner'),
  /**
   * Postpone a deletion without editing its time: a tag (value: ISO time with zone) or a config entry
   * with `until`. The deletion happens at the later of the wanted time and the snooze, on every vendor
   * (native timers are moved to it).
   */
  snooze: z
    .strictObject({
      tag: nonEmpty('a tag key').default('auto-delete-snooze'),
      entries: z
        .array(z.strictObject({ id: nonEmpty('a resource id'), until: isoInstant, reason: z.string().optional() }))
        .default([]),
    })
    .prefault({}),
});

const weekday = int(1, 7).meta({ description: 'ISO weekday: 1 = Monday ... 7 = Sunday' });

export const snapshotPolicySchema = z.strictObject({
  ...policyCommon,
  schedule: z
    .strictObject({
      every: duration.optional(),
      at: clockTime.optional(),
      timezone: timeZone.default('Asia/Shanghai'),
      weekdays: z.array(weekday).min(1).optional(),
    })
    .refine((s) => s.every !== undefined || s.at !== undefined, {
      error: 'expected at least one of every or at',
    }),
  /** `native`: the vendor's auto-snapshot policy where it has one; `ours`: we create and prune. */
  engine: z.enum(['ours', 'native']).default('ours'),
  retention: z
    .strictObject({
      keepLast: int(0).optional(),
      keepDaily: int(0).optional(),
      keepWeekly: int(0).optional(),
      keepMonthly: int(0).optional(),
      keepYearly: int(0).optional(),
      maxAge: duration.optional(),
      /** Never prune below this many of our snapshots per resource. */
      minKeep: int(1).default(1),
    })
    .prefault({}),
  /** Also prune snapshots we did not create (off: only our own are ever touched). */
  adoptForeign: bool.default(false),
  namePrefix: nonEmpty('a name prefix').default('ca-'),
  /** A snapshot of ours still creating this long after it was taken is alerted as stuck. */
  readyWithin: duration.default('6h'),
});

export const spotWatchSchema = z.strictObject({
  target: name.optional(),
  region: nonEmpty('a region id').optional(),
  zone: nonEmpty('a zone id'),
  instanceType: nonEmpty('an instance type'),
});

export const spotPolicySchema = z.strictObject({
  ...policyCommon,
  /** Explicit (zone, type) pairs, or 'running' = every pair our spot instances run in. */
  watches: z.union([z.array(spotWatchSchema).min(1), z.literal('running')]),
  thresholds: z
    .strictObject({
      maxPrice: decimal.optional(),
      maxRatioToOnDemand: decimal.optional(),
      jumpPercent: decimal.optional(),
      jumpWindow: duration.default('24h'),
      bidMarginPercent: decimal.optional(),
    })
    .prefault({}),
  historyHours: int(1).default(72),
});

export const renewalPolicySchema = z.strictObject({
  ...policyCommon,
  /** Remind this many days before expiry; each stage once. */
  leadDays: z.array(int(0)).min(1).default([30, 7, 1]),
  ownerTag: nonEmpty('a tag key').default('owner'),
  /** Set the vendor's auto-renew flag on selected instances. */
  autoRenew: bool.default(false),
  /** Renew instances ourselves, within a budget per instance and renewal. */
  renew: z
    .strictObject({
      periodMonths: int(1),
      budget: decimal,
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, { error: 'expected a currency code like "CNY"' })
        .default('CNY'),
    })
    .optional(),
});

export const recycleBinPolicySchema = z.strictObject({
  ...policyCommon,
  warnBefore: duration.default('24h'),
  /** Tag naming the owner, for the per-owner daily digest of purge warnings (where the bin reports tags). */
  ownerTag: nonEmpty('a tag key').default('owner'),
  action: z.enum(['leave', 'purge', 'restore']).default('leave'),
  /** For emulated bins and vendors that do not say when they purge. */
  retentionDays: int(0).default(7),
  /** Tag/label that marks an instance as soft-deleted in our own bin (value: purge time). */
  softDeleteTag: nonEmpty('a tag key').default('cloud-automation:purge-at'),
});

export type AutoDeletePolicy = z.output<typeof autoDeletePolicySchema>;
export type SnapshotPolicy = z.output<typeof snapshotPolicySchema>;
export type SpotPolicy = z.output<typeof spotPolicySchema>;
export type SpotWatch = z.output<typeof spotWatchSchema>;
export type RenewalPolicy = z.output<typeof renewalPolicySchema>;
export type RecycleBinPolicy = z.output<typeof recycleBinPolicySchema>;
export type Policy = AutoDeletePolicy | SnapshotPolicy | SpotPolicy | RenewalPolicy | RecycleBinPolicy;

export const policiesSchema = z
  .strictObject({
    autoDelete: z.array(autoDeletePolicySchema).default([]),
    snapshots: z.array(snapshotPolicySchema).default([]),
    spotPrices: z.array(spotPolicySchema).default([]),
    renewalReminders: z.array(renewalPolicySchema).default([]),
    recycleBin: z.array(recycleBinPolicySchema).default([]),
  })
  .prefault({});
export type Policies = z.output<typeof policiesSchema>;
export type PolicyKey = keyof Policies;

// names.ts holds the functions' policy keys without zod: each must be a key of `policies`
const _policyKeysExist: Record<FunctionName, PolicyKey> = functionPolicyKey;

// ---------------------------------------------------------------- safety, audit, events

export const safetySchema = z
  .strictObject({
    /** Blast radius: at most this many destructive actions per run... */
    maxDestructivePerRun: int(0).default(20),
    /** ...and at most this percentage of the selection in one scope. */
    maxDestructivePercent: z
      .number({ error: 'expected a number from 0 to 100' })
      .min(0, { error: 'expected a number from 0 to 100' })
      .max(100, { error: 'expected a number from 0 to 100' })
      .default(10),
    /** Vendor requests one run may make. */
    requestBudget: int(1).default(50_000),
    /** Stop starting new actions when less than this much invocation time remains. */
    timeoutMarginMs: int(0).default(30_000),
  })
  .prefault({});
export type Safety = z.output<typeof safetySchema>;

// records expire this long after they were written; absent: kept forever. At least 90 days, so no
// lookup a run makes (35 days: open intents, the scope trails of lib/automations/trail-window.ts)
// depends on an expired record. DynamoDB: the TTL attribute; the file store: hidden, then dropped
// when the log is compacted (lib/audit/README.md).
const auditRetention = duration
  .refine((d) => /^\d+[dw]$/.test(d) && durationMs(d) >= 90 * 86_400_000, { error: 'expected whole days or weeks of at least 90 days, e.g. "400d"; leave it out to keep records forever' })
  .optional();

export const auditSchema = z
  .discriminatedUnion('store', [
    z.strictObject({
      store: z.literal('file'),
      path: nonEmpty('a file path').default('.automation/audit.jsonl'),
      retention: auditRetention,
    }),
    z.strictObject({
      store: z.literal('dynamodb'),
      tableName: nonEmpty('a DynamoDB table name'),
      region: nonEmpty('an AWS region').optional(),
      endpoint: z.url({ error: 'expected a URL' }).optional(),
      retention: auditRetention,
    }),
  ])
  .prefault({ store: 'file' });
export type AuditConfig = z.output<typeof auditSchema>;

export const eventsSchema = z
  .strictObject({
    /** EventBridge bus for notices and action events; unset = not published to a bus. */
    busName: nonEmpty('an EventBridge bus name').optional(),
    /** Local runs: also append each event to this JSON-lines file. */
    file: nonEmpty('a file path').optional(),
  })
  .prefault({});
export type EventsConfig = z.output<typeof eventsSchema>;

/** How the CLI and the report show things to people. */
export const displaySchema = z
  .strictObject({
    /** IANA zone times are shown in (offset shown); default the snapshot policies' zone, else UTC. */
    timezone: timeZone.optional(),
  })
  .prefault({});
export type DisplayConfig = z.output<typeof displaySchema>;

// ---------------------------------------------------------------- the file

export const automationConfigSchema = z
  .strictObject({
    targets: z
      .array(targetSchema, { error: 'expected a list of targets' })
      .min(1, { error: 'expected at least one target' }),
    safety: safetySchema,
    audit: auditSchema,
    events: eventsSchema,
    policies: policiesSchema,
    notifications: notificationsSchema,
    display: displaySchema,
  })
  // Runs even when other parts are invalid, so every problem in the file is reported at once.
  .superRefine((value, ctx) => checkCrossFields(value, ctx), { when: () => true });

export type AutomationConfig = z.output<typeof automationConfigSchema>;
export type AutomationConfigInput = z.input<typeof automationConfigSchema>;
