import { Rng } from '../core';
import { CVM_MODEL } from './sdk-model.generated';

/**
 * Seeded "real shapes" mode: answers vary the way the real CVM API's do, within what the official
 * SDK model allows (sim/DECISIONS.md T20). Every field the model marks nullable may come as null
 * (and nullable fields the sim does not otherwise render are sent as null); optional fields outside
 * the identity/state core are sometimes absent; listing pages are sometimes short. The rendering
 * derives from the SDK model, not from what our client reads.
 */
export class RealShapes {
  private readonly rng: Rng;
  /** What the mode changed, counted at the vendor. */
  readonly stats = { nulls: 0, absent: 0, shortPages: 0 };

  constructor(
    seed: number,
    private readonly p = { nullable: 0.3, absent: 0.2 },
  ) {
    this.rng = new Rng(seed);
  }

  /** A rendered object of SDK interface `iface`, varied; `keep` fields are never dropped or nulled. */
  vary<T extends Record<string, unknown>>(rendered: T, iface: string, keep: ReadonlySet<string>): T {
    const model = CVM_MODEL[iface];
    if (!model) return rendered;
    const out: Record<string, unknown> = { ...rendered };
    for (const [name, field] of Object.entries(model)) {
      if (keep.has(name)) continue;
      if (field.nullable && (out[name] === undefined || this.rng.chance(this.p.nullable))) {
        out[name] = null;
        this.stats.nulls++;
      } else if (name in out && field.optional && this.rng.chance(this.p.absent)) {
        delete out[name];
        this.stats.absent++;
      }
    }
    return out as T;
  }

  /** How many of `remaining` items a page of `limit` carries: short now and then, never empty while items remain. */
  pageLength(limit: number, remaining: number): number {
    const full = Math.min(limit, remaining);
    if (full <= 1 || !this.rng.chance(0.3)) return full;
    this.stats.shortPages++;
    return this.rng.int(1, full - 1);
  }
}

/**
 * Never varied: identity, state, charge and expiry fields whose null would mean something else (the
 * SDK allows RenewFlag/ExpiredTime null only for postpaid, which the plain rendering already does).
 */
export const INSTANCE_CORE = new Set([
  'InstanceId',
  'InstanceName',
  'InstanceType',
  'InstanceState',
  'RestrictState',
  'InstanceChargeType',
  'Placement',
  'CreatedTime',
  'ExpiredTime',
  'RenewFlag',
  'Tags',
  'LatestOperation',
  'LatestOperationState',
  'DisableApiTermination',
  'IsolatedSource',
]);
export const IMAGE_CORE = new Set(['ImageId', 'ImageName', 'ImageDescription', 'ImageType', 'ImageState', 'CreatedTime', 'Tags']);
export const PRICE_CORE = new Set(['UnitPrice', 'UnitPriceDiscount', 'ChargeUnit', 'OriginalPrice', 'DiscountPrice']);
