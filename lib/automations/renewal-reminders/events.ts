import { z } from 'zod';
import { VENDORS } from '../../vendors/core';

/**
 * The notices renewal-reminders publishes (source `cloud-automation`). The engine adds
 * `actionKey` and `runId` to each detail when it publishes.
 *
 * - `Renewal Reminder`: one per instance, stage (lead days) and expiry time.
 * - `Renewal Lapsed`: an instance already expired or isolated by the vendor, once per expiry.
 * - `Renewal Digest`: one per target × region and run date, the reminders grouped per owner.
 * - `Renewal Refused`: a renewal the policy asks for but will not make (over budget, no usable quote),
 *   once per instance, expiry and period.
 */
export const RENEWAL_REMINDER = 'Renewal Reminder';
export const RENEWAL_LAPSED = 'Renewal Lapsed';
export const RENEWAL_DIGEST = 'Renewal Digest';
export const RENEWAL_REFUSED = 'Renewal Refused';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
const iso = z.iso.datetime();

const scopeFields = {
  policy: z.string().min(1),
  vendor: z.enum(VENDORS),
  target: z.string().min(1),
  region: z.string().min(1),
  /** Filled in by the engine when it publishes (absent when the plan builds the detail). */
  actionKey: z.string().optional(),
  runId: z.string().optional(),
};

export const instanceRefSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  zone: z.string().optional(),
  instanceType: z.string().optional(),
  project: z.string().optional(),
});

export const quoteSchema = z.strictObject({
  total: decimal.optional(),
  originalTotal: decimal.optional(),
  currency: z.string().optional(),
  periodMonths: z.int().positive(),
  parts: z.array(
    z.strictObject({
      resourceId: z.string().min(1),
      kind: z.enum(['instance', 'disk', 'eip', 'other']),
      amount: decimal,
      originalAmount: decimal.optional(),
      currency: z.string(),
      expiresAt: iso.optional(),
    }),
  ),
});

export const renewalReminderDetailSchema = z.strictObject({
  ...scopeFields,
  instance: instanceRefSchema,
  /** Value of the policy's owner tag; null when the instance has none. */
  owner: z.string().nullable(),
  expiresAt: iso,
  daysLeft: z.int().nonnegative(),
  /** The lead time (days) this reminder belongs to. */
  stageDays: z.int().positive(),
  renewFlag: z.enum(['auto', 'manual', 'never', 'unknown']),
  autoRenew: z.strictObject({
    /** The instance already renews itself at the vendor. */
    enabled: z.boolean(),
    /** This run turns it on (policy autoRenew). */
    planned: z.boolean(),
  }),
  /** The vendor's renewal quote; null when none could be had (see quoteError). */
  quote: quoteSchema.nullable(),
  quoteError: z.string().optional(),
  /** This run renews the instance (quote within the policy's budget). */
  renewPlanned: z.boolean(),
  message: z.string(),
});
export type RenewalReminderDetail = z.infer<typeof renewalReminderDetailSchema>;

export const renewalLapsedDetailSchema = z.strictObject({
  ...scopeFields,
  instance: instanceRefSchema,
  owner: z.string().nullable(),
  state: z.enum(['expired', 'isolated', 'other']),
  expiresAt: iso.optional(),
  rawState: z.string(),
  message: z.string(),
});
export type RenewalLapsedDetail = z.infer<typeof renewalLapsedDetailSchema>;

const digestEntrySchema = z.strictObject({
  instanceId: z.string().min(1),
  name: z.string(),
  expiresAt: iso.optional(),
  daysLeft: z.int().nonnegative().optional(),
  stage: z.int().positive().optional(),
  lapsed: z.enum(['expired', 'isolated', 'other']).optional(),
  quote: z.strictObject({ amount: decimal, currency: z.string() }).optional(),
});

export const renewalDigestDetailSchema = z.strictObject({
  ...scopeFields,
  /** Run date (UTC, yyyy-mm-dd): one digest per scope and day. */
  date: z.iso.date(),
  owners: z.array(z.strictObject({ owner: z.string().nullable(), entries: z.array(digestEntrySchema) })),
  reminders: z.int().nonnegative(),
  lapsed: z.int().nonnegative(),
});
export type RenewalDigestDetail = z.infer<typeof renewalDigestDetailSchema>;

export const renewalRefusedDetailSchema = z.strictObject({
  ...scopeFields,
  instance: instanceRefSchema,
  owner: z.string().nullable(),
  expiresAt: iso,
  periodMonths: z.int().positive(),
  budget: z.strictObject({ amount: decimal, currency: z.string() }),
  /** The quoted total, when one was had. */
  quoteTotal: decimal.optional(),
  reason: z.string(),
});
export type RenewalRefusedDetail = z.infer<typeof renewalRefusedDetailSchema>;

export const renewalEventSchemas = {
  [RENEWAL_REMINDER]: renewalReminderDetailSchema,
  [RENEWAL_LAPSED]: renewalLapsedDetailSchema,
  [RENEWAL_DIGEST]: renewalDigestDetailSchema,
  [RENEWAL_REFUSED]: renewalRefusedDetailSchema,
} as const;
