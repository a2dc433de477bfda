import { addMoney, compareMoney, type Instance, type PriceQuote } from '../../vendors/core';

/**
 * Pure renewal decisions (no I/O). Stage rule: the stage is the tightest lead time reached, i.e.
 * the smallest L in leadDays with (expiry − now) ≤ L days (exactly L days left is in stage L).
 * Each stage is reminded once per expiry time (slot `${expiresAt}:${L}d`), so a renewal that moves
 * the expiry starts the stages over. A run that missed a stage sends only the current one.
 */

const DAY_MS = 86_400_000;

export interface RenewalRules {
  leadDays: number[];
  autoRenew: boolean;
  renew?: { periodMonths: number; budget: string; currency: string };
}

export type RenewalDecision =
  /** Not ours to remind: not prepaid, or the vendor reports no expiry. */
  | { kind: 'ignore'; reason: string }
  /** Already expired or isolated by the vendor: reported on its own, no reminder, no action. */
  | { kind: 'lapsed'; reason: string; state: 'expired' | 'isolated' | 'other'; slot: string }
  | {
      kind: 'track';
      reason: string;
      expiresAt: string;
      daysLeft: number;
      /** The stage reached (days), when inside the largest lead time. */
      stage?: number;
      /** Idempotency slot of the stage's reminder. */
      reminderSlot?: string;
      /** Policy wants auto-renew and the instance does not have it. */
      setAutoRenew: boolean;
      /** Policy renews and this instance is in a stage and will not renew by itself: quote, then check the budget. */
      renewCandidate: boolean;
    };

/** Sorted, de-duplicated lead times; 0 is dropped (an instance with no time left is lapsed, not reminded). */
export function normaliseLeadDays(leadDays: number[]): number[] {
  for (const d of leadDays) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`leadDays: expected whole days >= 0, got ${d}`);
  }
  return [...new Set(leadDays)].filter((d) => d > 0).sort((a, b) => a - b);
}

export function stageFor(msLeft: number, leadDays: number[]): number | undefined {
  return normaliseLeadDays(leadDays).find((l) => msLeft <= l * DAY_MS);
}

export function decideRenewal(
  instance: Pick<Instance, 'id' | 'chargeType' | 'expiresAt' | 'restricted' | 'renewFlag'>,
  rules: RenewalRules,
  now: Date,
): RenewalDecision {
  if (instance.chargeType !== 'prepaid') return { kind: 'ignore', reason: `not prepaid (${instance.chargeType})` };
  const expiresAt = instance.expiresAt;
  if (instance.restricted) {
    const what = instance.restricted === 'isolated' ? 'isolated' : instance.restricted === 'expired' ? 'expired' : 'restricted';
    return { kind: 'lapsed', state: instance.restricted, reason: `already ${what} by the vendor${expiresAt ? ` (expiry ${expiresAt})` : ''}: renew it to bring it back`, slot: `${expiresAt ?? 'no-expiry'}:${instance.restricted}` };
  }
  if (!expiresAt) return { kind: 'ignore', reason: 'the vendor reports no expiry time' };
  const msLeft = Date.parse(expiresAt) - now.getTime();
  if (msLeft <= 0) return { kind: 'lapsed', state: 'expired', reason: `expired at ${expiresAt}`, slot: `${expiresAt}:expired` };

  const daysLeft = Math.floor(msLeft / DAY_MS);
  const stage = stageFor(msLeft, rules.leadDays);
  const autoRenewing = instance.renewFlag === 'auto';
  const setAutoRenew = rules.autoRenew && !autoRenewing;
  // Renewing ourselves only where nothing else will: not when the vendor auto-renews or we turn that on.
  const renewCandidate = stage !== undefined && rules.renew !== undefined && !autoRenewing && !rules.autoRenew;
  const left = `${daysLeft} day(s) left (expires ${expiresAt})`;
  return {
    kind: 'track',
    expiresAt,
    daysLeft,
    ...(stage !== undefined && { stage, reminderSlot: `${expiresAt}:${stage}d` }),
    setAutoRenew,
    renewCandidate,
    reason: stage !== undefined ? `${left}: ${stage}-day reminder` : `${left}: no reminder stage reached yet`,
  };
}

export type BudgetVerdict = { renew: true; total: string; reason: string } | { renew: false; total?: string; reason: string };

/**
 * Renew only when every quoted part is in the budget's currency and their sum is within the budget
 * (equal to the budget is within). Compared as decimals, never floats.
 */
export function checkRenewBudget(quotes: PriceQuote[], budget: { budget: string; currency: string; periodMonths: number }): BudgetVerdict {
  if (!quotes.length) return { renew: false, reason: 'no renewal quote: not renewed' };
  const foreign = quotes.find((q) => q.currency !== budget.currency);
  if (foreign) return { renew: false, reason: `quote is in ${foreign.currency}, the budget in ${budget.currency}: not renewed` };
  const wrongPeriod = quotes.find((q) => q.periodMonths !== budget.periodMonths);
  if (wrongPeriod) return { renew: false, reason: `quote is for ${wrongPeriod.periodMonths} month(s), the policy renews ${budget.periodMonths}: not renewed` };
  const total = quotes.reduce((sum, q) => addMoney(sum, q.amount), '0');
  if (compareMoney(total, budget.budget) > 0) {
    return { renew: false, total, reason: `renewal quote ${total} ${budget.currency} is over the budget ${budget.budget}: not renewed` };
  }
  return { renew: true, total, reason: `renew for ${budget.periodMonths} month(s): quote ${total} ${budget.currency} is within the budget ${budget.budget}` };
}

export interface DigestEntry {
  owner?: string;
  instanceId: string;
  name: string;
  expiresAt?: string;
  daysLeft?: number;
  stage?: number;
  lapsed?: 'expired' | 'isolated' | 'other';
  quote?: { amount: string; currency: string };
}

/** Reminders grouped per owner (owners sorted, instances by expiry); no owner is grouped as null, last. */
export function groupByOwner(entries: DigestEntry[]): { owner: string | null; entries: DigestEntry[] }[] {
  const groups = new Map<string | null, DigestEntry[]>();
  for (const e of entries) groups.set(e.owner ?? null, [...(groups.get(e.owner ?? null) ?? []), e]);
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([owner, list]) => ({ owner, entries: [...list].sort((x, y) => (x.expiresAt ?? '').localeCompare(y.expiresAt ?? '') || x.instanceId.localeCompare(y.instanceId)) }));
}

export interface QuoteSummary {
  /** Sum of the parts; absent when they come in different currencies. */
  total?: string;
  originalTotal?: string;
  currency?: string;
  periodMonths: number;
  parts: { resourceId: string; kind: PriceQuote['kind']; amount: string; originalAmount?: string; currency: string; expiresAt?: string }[];
}

/** The quote a reminder carries: the instance and the parts the vendor renews with it (disks, EIPs). */
export function quoteSummary(quotes: PriceQuote[]): QuoteSummary | undefined {
  if (!quotes.length) return undefined;
  const currency = quotes[0]!.currency;
  const same = quotes.every((q) => q.currency === currency);
  const hasOriginals = quotes.every((q) => q.originalAmount !== undefined);
  return {
    ...(same && { total: quotes.reduce((s, q) => addMoney(s, q.amount), '0'), currency }),
    ...(same && hasOriginals && { originalTotal: quotes.reduce((s, q) => addMoney(s, q.originalAmount!), '0') }),
    periodMonths: quotes[0]!.periodMonths,
    parts: quotes.map((q) => ({
      resourceId: q.resourceId,
      kind: q.kind,
      amount: q.amount,
      currency: q.currency,
      ...(q.originalAmount !== undefined && { originalAmount: q.originalAmount }),
      ...(q.expiresAt !== undefined && { expiresAt: q.expiresAt }),
    })),
  };
}
