import Big from 'big.js';
import { compareMoney, minMoney, type Instance, type SpotPricePoint, type SpotWatch } from '../../vendors/core';

/**
 * Pure spot-price decisions (no I/O). Comparisons are decimal (big.js), never float. A price
 * threshold is crossed only when the price is strictly above it; equal does not alert.
 * A bid margin alerts when the headroom is at most the margin (equal alerts): "within Y %".
 */

export interface SpotThresholds {
  maxPrice?: string;
  maxRatioToOnDemand?: string;
  jumpPercent?: string;
  /** Only read by the caller, to pick the history window. */
  jumpWindow?: string;
  bidMarginPercent?: string;
}

/** A running spot instance, as much of it as an alert needs. */
export interface SpotInstanceRef {
  id: string;
  name: string;
  zone?: string;
  instanceType?: string;
  maxPrice?: string;
  reclaimAt?: string;
}

export type ConditionKind = 'max-price' | 'ratio' | 'jump' | 'bid-margin';

export interface SpotAlert {
  /** Condition name within its series group: `max-price`, `ratio`, `jump`, `bid-margin:<instance>`. */
  condition: string;
  kind: ConditionKind;
  /** When the condition started (ISO); with `condition` it forms the idempotency slot. */
  since: string;
  /** True when it started in this run. */
  isNew: boolean;
  price: string;
  onDemandPrice?: string;
  currency: string;
  /** The configured limit the price was compared with (for a jump: the recent low × (1 + X %); for a bid: the bid). */
  threshold: string;
  /** Ratio for `ratio`, percent over the low for `jump`, headroom percent for `bid-margin`. */
  observed?: string;
  instances: SpotInstanceRef[];
  reason: string;
}

export interface SpotSeriesDecision {
  alerts: SpotAlert[];
  /** The group's open conditions after this run: what the state store should hold. */
  open: Record<string, string>;
  /** Conditions that were open and are no longer true. */
  cleared: string[];
  /** Conditions that could not be evaluated this run (kept as they were), with why. */
  notes: string[];
}

export interface SpotSeriesInput {
  /** The latest price of the series. */
  current: SpotPricePoint;
  /** Prices within the jump window (stored history and fresh points; the current one may be among them). */
  window: SpotPricePoint[];
  /** Running spot instances of this zone and type. */
  instances: SpotInstanceRef[];
  /** False when the instance listing failed: open bid-margin conditions are then kept, not cleared. */
  instancesKnown?: boolean;
  thresholds: SpotThresholds;
  /** Open conditions from the state store: name → ISO time it started. */
  open: Record<string, string>;
  now: Date;
}

const HUNDRED = new Big(100);

/** x × (1 + percent / 100), exact. */
function plusPercent(x: string, percent: string): Big {
  return new Big(x).times(HUNDRED.plus(percent)).div(HUNDRED);
}

/** (a − b) / b × 100, rounded to 2 places for display only (never compared). */
function percentOver(a: string, b: string): string | undefined {
  if (new Big(b).eq(0)) return undefined;
  return new Big(a).minus(b).div(b).times(HUNDRED).round(2, Big.roundHalfUp).toString();
}

export function decideSpotSeries(input: SpotSeriesInput): SpotSeriesDecision {
  const { current, thresholds: t, instances, now } = input;
  const price = current.price;
  const nowIso = now.toISOString();
  const alerts: SpotAlert[] = [];
  const open: Record<string, string> = {};
  const notes: string[] = [];
  /** Configured but not checkable this run: kept open as they were. */
  const unknown = new Set<string>();

  const hold = (condition: string, kind: ConditionKind, fields: Omit<SpotAlert, 'condition' | 'kind' | 'since' | 'isNew' | 'price' | 'currency' | 'onDemandPrice'>) => {
    const since = input.open[condition] ?? nowIso;
    open[condition] = since;
    alerts.push({ condition, kind, since, isNew: input.open[condition] === undefined, price, currency: current.currency, onDemandPrice: current.onDemandPrice, ...fields });
  };

  if (t.maxPrice !== undefined) {
    if (compareMoney(price, t.maxPrice) > 0) {
      hold('max-price', 'max-price', { threshold: t.maxPrice, instances, reason: `spot price ${price} ${current.currency}/h is above the limit ${t.maxPrice}` });
    }
  }

  if (t.maxRatioToOnDemand !== undefined) {
    if (current.onDemandPrice === undefined || new Big(current.onDemandPrice).eq(0)) {
      notes.push('ratio to on-demand not checked: the vendor gave no on-demand price');
      unknown.add('ratio');
    } else {
      // price > onDemand × ratio, compared exactly instead of dividing
      const limit = new Big(current.onDemandPrice).times(t.maxRatioToOnDemand);
      if (new Big(price).gt(limit)) {
        const ratio = new Big(price).div(current.onDemandPrice).round(6, Big.roundHalfUp).toString();
        hold('ratio', 'ratio', {
          threshold: t.maxRatioToOnDemand,
          observed: ratio,
          instances,
          reason: `spot price ${price} is ${ratio} of on-demand ${current.onDemandPrice}, above the limit ${t.maxRatioToOnDemand}`,
        });
      }
    }
  }

  if (t.jumpPercent !== undefined) {
    const low = minMoney([...input.window.map((p) => p.price), price])!;
    const limit = plusPercent(low, t.jumpPercent);
    if (new Big(price).gt(limit)) {
      const over = percentOver(price, low);
      hold('jump', 'jump', {
        threshold: limit.toString(),
        observed: over,
        instances,
        reason: `spot price ${price} is ${over ?? 'infinitely'} % over the recent low ${low}, more than ${t.jumpPercent} %`,
      });
    }
  }

  if (t.bidMarginPercent !== undefined) {
    for (const inst of instances) {
      const condition = `bid-margin:${inst.id}`;
      if (inst.maxPrice === undefined) continue; // follows the market: no bid to be outrun
      // headroom = bid − price; alert when bid ≤ price × (1 + Y %)
      if (new Big(inst.maxPrice).lte(plusPercent(price, t.bidMarginPercent))) {
        const headroom = percentOver(inst.maxPrice, price);
        hold(condition, 'bid-margin', {
          threshold: inst.maxPrice,
          observed: headroom,
          instances: [inst],
          reason: `bid ${inst.maxPrice} of ${inst.id} is within ${t.bidMarginPercent} % of the spot price ${price} (headroom ${headroom ?? '?'} %)`,
        });
      }
    }
  }

  // Everything else that was open is over: no longer true, its threshold removed, or its instance gone.
  const cleared: string[] = [];
  for (const [condition, since] of Object.entries(input.open)) {
    if (condition in open) continue;
    const instanceUnknown = input.instancesKnown === false && condition.startsWith('bid-margin:');
    if (unknown.has(condition) || instanceUnknown) open[condition] = since;
    else cleared.push(condition);
  }
  return { alerts, open, cleared, notes };
}

/** The latest point of a series (by `at`); undefined for none. */
export function latestPoint(points: SpotPricePoint[]): SpotPricePoint | undefined {
  return points.reduce<SpotPricePoint | undefined>((best, p) => (best === undefined || Date.parse(p.at) > Date.parse(best.at) ? p : best), undefined);
}

export interface PolicyWatch extends SpotWatch {
  target?: string;
  region?: string;
}

/**
 * The (zone, type) pairs to read in one target and region. A watch naming another target or
 * region is not for this scope; a watch without a region belongs to the region its zone starts
 * with (zone ids are region id + suffix on the spot vendors: `cn-beijing-6a`, `ap-guangzhou-3`).
 * `running`: the pairs of the scope's running spot instances.
 */
export function watchesFor(watches: PolicyWatch[] | 'running', target: string, region: string, running: SpotInstanceRef[]): SpotWatch[] {
  const pairs =
    watches === 'running'
      ? running.filter((i) => i.zone && i.instanceType).map((i) => ({ zone: i.zone!, instanceType: i.instanceType! }))
      : watches
          .filter((w) => (w.target === undefined || w.target === target) && (w.region === undefined ? w.zone.startsWith(region) : w.region === region))
          .map((w) => ({ zone: w.zone, instanceType: w.instanceType }));
  const seen = new Map<string, SpotWatch>();
  for (const p of pairs) seen.set(`${p.zone}|${p.instanceType}`, p);
  return [...seen.values()];
}

/** A running spot instance the vendor is about to reclaim: alert now, once per reclaim time. */
export function decideReclaim(instance: SpotInstanceRef, now: Date): { alert: boolean; slot: string; reason: string } {
  if (!instance.reclaimAt) return { alert: false, slot: '', reason: 'no reclaim time' };
  const past = Date.parse(instance.reclaimAt) <= now.getTime();
  return {
    alert: true,
    slot: `reclaim:${instance.reclaimAt}`,
    reason: `spot instance ${instance.id} ${past ? 'was to be' : 'will be'} reclaimed by the vendor at ${instance.reclaimAt}`,
  };
}

export function spotRef(i: Instance): SpotInstanceRef {
  return {
    id: i.id,
    name: i.name,
    ...(i.zone !== undefined && { zone: i.zone }),
    ...(i.instanceType !== undefined && { instanceType: i.instanceType }),
    ...(i.spot?.maxPrice !== undefined && { maxPrice: i.spot.maxPrice }),
    ...(i.spot?.reclaimAt !== undefined && { reclaimAt: i.spot.reclaimAt }),
  };
}
