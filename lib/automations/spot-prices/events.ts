import { z } from 'zod';
import { VENDORS } from '../../vendors/core';

/**
 * The notices spot-prices publishes (source `cloud-automation`). The engine adds `actionKey`
 * and `runId` to each detail when it publishes.
 *
 * - `Spot Price Alert`: a price condition started (once per condition until it clears).
 * - `Spot Reclaim Alert`: a running spot instance is about to be reclaimed (reclaim time from the
 *   vendor, or a `Spot Interruption` cloud event).
 */
export const SPOT_PRICE_ALERT = 'Spot Price Alert';
export const SPOT_RECLAIM_ALERT = 'Spot Reclaim Alert';
/** The cloud event (normalized onto the bus) that triggers an immediate reclaim alert. */
export const SPOT_INTERRUPTION_EVENT = 'Spot Interruption';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
const iso = z.iso.datetime();

/** Filled in by the engine when it publishes (absent when the plan builds the detail). */
const engineFields = { actionKey: z.string().optional(), runId: z.string().optional() };

export const affectedInstanceSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  zone: z.string().optional(),
  instanceType: z.string().optional(),
  maxPrice: decimal.optional(),
  reclaimAt: iso.optional(),
});

const scopeFields = {
  policy: z.string().min(1),
  vendor: z.enum(VENDORS),
  target: z.string().min(1),
  region: z.string().min(1),
};

export const spotPriceAlertDetailSchema = z.strictObject({
  ...engineFields,
  ...scopeFields,
  zone: z.string().min(1),
  instanceType: z.string().min(1),
  /** `max-price`, `ratio`, `jump` or `bid-margin:<instance id>`. */
  condition: z.string().min(1),
  kind: z.enum(['max-price', 'ratio', 'jump', 'bid-margin']),
  /** When the condition started; a condition that clears and returns alerts again with a new time. */
  since: iso,
  price: decimal,
  onDemandPrice: decimal.optional(),
  currency: z.string().min(1),
  threshold: decimal,
  observed: decimal.optional(),
  /** The running spot instances of this zone and type (for `bid-margin`: the instance). */
  instances: z.array(affectedInstanceSchema),
  message: z.string(),
});
export type SpotPriceAlertDetail = z.infer<typeof spotPriceAlertDetailSchema>;

export const spotReclaimAlertDetailSchema = z.strictObject({
  ...engineFields,
  ...scopeFields,
  instance: affectedInstanceSchema,
  /** `vendor`: the listing shows a reclaim time; `event`: a Spot Interruption cloud event. */
  source: z.enum(['vendor', 'event']),
  reclaimAt: iso.optional(),
  eventAt: iso.optional(),
  message: z.string(),
});
export type SpotReclaimAlertDetail = z.infer<typeof spotReclaimAlertDetailSchema>;

export const spotEventSchemas = {
  [SPOT_PRICE_ALERT]: spotPriceAlertDetailSchema,
  [SPOT_RECLAIM_ALERT]: spotReclaimAlertDetailSchema,
} as const;
