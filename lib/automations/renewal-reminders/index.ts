import { UNDO } from '../undo';
import { instanceNotice } from '../instance-notice';
import { createHash } from 'node:crypto';
import type { RenewalPolicy } from '../../config/schema';
import type { Instance, PriceQuote, VendorClient } from '../../vendors/core';
import type { AutomationSpec } from '../engine/run';
import { groupBy } from '../engine/group';
import { exemptionFor, matchesSelector } from '../engine/select';
import type { NoticeAction, ScopeArgs, ScopePlan, VendorAction } from '../engine/types';
import { checkRenewBudget, decideRenewal, groupByOwner, quoteSummary, type DigestEntry, type RenewalRules } from './decide';
import {
  RENEWAL_DIGEST,
  RENEWAL_LAPSED,
  RENEWAL_REFUSED,
  RENEWAL_REMINDER,
  renewalDigestDetailSchema,
  renewalLapsedDetailSchema,
  renewalRefusedDetailSchema,
  renewalReminderDetailSchema,
  type RenewalReminderDetail,
} from './events';

export { checkRenewBudget, decideRenewal, groupByOwner, normaliseLeadDays, stageFor } from './decide';
export * from './events';

/** renewal-reminders: staged reminders with a renewal quote before prepaid instances expire; optionally auto-renew or renew within a budget. */
export const renewalRemindersSpec: AutomationSpec<RenewalPolicy> = {
  function: 'renewal-reminders',
  requires: (c) => (c.renewal === 'unsupported' ? 'renewal' : undefined),
  planPolicies: planRenewalPolicies,
};

/** One policy's planning in a scope, filled instance by instance from the shared listing. */
interface PolicyRenewal {
  args: ScopeArgs<RenewalPolicy>;
  plan: ScopePlan;
  rules: RenewalRules;
  canAct: boolean;
  quotePeriod: number;
  digest: DigestEntry[];
  unknownCharge: number;
  /** Past this an instance needs nothing from this policy (the listing may leave it out); undefined: every prepaid one. */
  expiringBy?: string;
}

/** What the policies of a scope share: one quote per instance and period, and which policy changes an instance this run. */
interface Shared {
  quote: (instanceId: string, periodMonths: number) => Promise<PriceQuote[]>;
  /** Instances a policy sets auto-renew on or renews in this run: no later policy acts on them too (a second renewal would buy twice). */
  acting: Map<string, string>;
}

/**
 * Every policy of one target × region on shared reads (engine DECISIONS.md E11, DECISIONS.md R11):
 * one listing of prepaid instances per distinct selector tag keys, to the widest expiry any of its
 * policies needs, each instance through every policy's decision; one quote per instance and period.
 */
async function planRenewalPolicies(all: ScopeArgs<RenewalPolicy>[]): Promise<PromiseSettledResult<ScopePlan>[]> {
  const { client, scope } = all[0]!;
  const policies = all.map(startPolicy);
  const asked = new Map<string, Promise<PriceQuote[]>>();
  const shared: Shared = {
    quote: (id, months) => {
      const key = `${id}|${months}`;
      let quote = asked.get(key);
      if (!quote) asked.set(key, (quote = client.quoteRenewal(scope, [id], months)));
      return quote;
    },
    acting: new Map(),
  };
  for (const riders of groupBy(policies, (p) => JSON.stringify(Object.keys(p.args.policy.selector.tags ?? {}))).values()) {
    const tagKeys = Object.keys(riders[0]!.args.policy.selector.tags ?? {});
    const expiringBy = riders.some((p) => p.expiringBy === undefined) ? undefined : riders.map((p) => p.expiringBy!).sort().at(-1);
    try {
      for await (const page of client.listInstances(scope, { chargeTypes: ['prepaid'], ...(tagKeys.length && { tagKeys }), ...(expiringBy && { expiringBy }) })) {
        for (const inst of page) for (const p of riders) await take(p, inst, shared);
      }
    } catch (e) {
      for (const p of riders) p.plan.readFailures.push(`listing prepaid instances: ${(e as Error).message}`);
    }
  }
  return policies.map((p) => ({ status: 'fulfilled', value: finishPolicy(p) }));
}

function startPolicy(args: ScopeArgs<RenewalPolicy>): PolicyRenewal {
  const { deps, policy, client, capabilities } = args;
  const plan: ScopePlan = { actions: [], notes: [], selected: 0, readFailures: [] };
  const canAct = capabilities.renewalActions !== 'unsupported';
  if (!canAct && (policy.autoRenew || policy.renew)) {
    plan.notes.push({ resourceId: '-', action: 'renew', reason: `${client.vendor} cannot renew or set auto-renew through its API: reminders only`, status: 'skipped' });
  }
  // past the longest lead time an instance gets nothing, unless auto-renew is to be set on every tracked one (R5):
  // where tags cost a request each (Apsara), such instances are not needed (R10)
  const expiringBy = policy.autoRenew && canAct ? undefined : new Date(deps.now.getTime() + Math.max(0, ...policy.leadDays) * 86_400_000).toISOString();
  return {
    args,
    plan,
    rules: { leadDays: policy.leadDays, autoRenew: policy.autoRenew, ...(policy.renew && { renew: policy.renew }) },
    canAct,
    quotePeriod: policy.renew?.periodMonths ?? 1,
    digest: [],
    unknownCharge: 0,
    ...(expiringBy && { expiringBy }),
  };
}

/** One listed instance through one policy's selection and decision. */
async function take(p: PolicyRenewal, inst: Instance, shared: Shared): Promise<void> {
  const { args, plan, rules, canAct, quotePeriod, digest } = p;
  const { deps, policy } = args;
  const now = deps.now;
  // Quotes come with the renewal actions (Tencent InquiryPriceRenewInstances, CECSTACK renew quote);
  // a read-only vendor (Alibaba: expiry only, seed 001 L1761-1829) offers none, so none is asked for.
  const canQuote = canAct;
  if (inst.chargeType === 'unknown' && matchesSelector(inst, { ...policy.selector, chargeTypes: undefined })) {
    // the vendor did not say whether it is prepaid: shown, never guessed (sim/DECISIONS.md A8)
    if (inst.expiresAt) plan.notes.push({ resourceId: inst.id, action: 'send-reminder', reason: `charge type unknown (the vendor did not report it); expires ${inst.expiresAt}: no reminder decided, check it by hand`, status: 'skipped' });
    else p.unknownCharge++;
    return;
  }
  if (inst.chargeType !== 'prepaid' || !matchesSelector(inst, policy.selector)) return;
  plan.selected++;
  const exempt = exemptionFor(inst, policy.exemptions, now);
  if (exempt.exempt) {
    plan.notes.push({ resourceId: inst.id, action: 'send-reminder', reason: exempt.reason ?? 'exempt', status: 'exempt' });
    return;
  }
  const decision = decideRenewal(inst, rules, now);
  const owner = inst.tags[policy.ownerTag] ?? null;
  if (decision.kind === 'ignore') return;
  if (decision.kind === 'lapsed') {
    plan.notes.push({ resourceId: inst.id, action: 'report-lapsed', reason: decision.reason, status: 'info' });
    plan.actions.push(lapsedNotice(args, inst, owner, decision.state, decision.slot, decision.reason));
    digest.push({ ...(owner !== null && { owner }), instanceId: inst.id, name: inst.name, ...(inst.expiresAt && { expiresAt: inst.expiresAt }), lapsed: decision.state });
    return;
  }
  // The vendor still runs an operation on it (Tencent OPERATING): no new purchase or flag change this run (sim/DECISIONS.md T17).
  const actor = shared.acting.get(inst.id);
  const busy = inst.busyWith
    ? `busy: the vendor is still running ${inst.busyWith} on it; no renewal action this run, the next run retries`
    : actor !== undefined && actor !== policy.name
      ? `policy ${actor} renews it or sets its auto-renew in this run; this policy decides on it again next run`
      : undefined;
  if (busy && canAct && (decision.setAutoRenew || (decision.renewCandidate && policy.renew))) {
    plan.notes.push({ resourceId: inst.id, action: 'busy', reason: busy, status: 'skipped' });
  }
  const setAutoRenew = decision.setAutoRenew && canAct && !busy;
  if (setAutoRenew) {
    plan.actions.push(autoRenewAction(args, inst, decision.expiresAt));
    shared.acting.set(inst.id, policy.name);
  }
  if (decision.stage === undefined) return;

  let quotes: PriceQuote[] = [];
  let quoteError: string | undefined;
  if (canQuote) {
    try {
      quotes = await shared.quote(inst.id, quotePeriod);
    } catch (e) {
      quoteError = `renewal quote failed: ${(e as Error).message}`;
    }
  } else {
    quoteError = 'no quote: the vendor offers none';
  }
  const quote = quoteSummary(quotes);
  let renewPlanned = false;
  if (decision.renewCandidate && policy.renew && canAct && !busy) {
    const verdict = quoteError ? { renew: false as const, reason: `${quoteError}: not renewed` } : checkRenewBudget(quotes, policy.renew);
    if (verdict.renew) {
      renewPlanned = true;
      shared.acting.set(inst.id, policy.name);
      plan.actions.push(renewAction(args, inst, decision.expiresAt, policy.renew.periodMonths, verdict.reason));
    } else {
      // a refusal is a notice: audited (planned / intent + result) and published, once per expiry and period
      plan.actions.push(refusedNotice(args, inst, owner, decision.expiresAt, policy.renew, verdict));
    }
  }
  const message = `${inst.id} (${inst.name}) expires ${decision.expiresAt}, ${decision.daysLeft} day(s) left${quoteError ? `; ${quoteError}, reminder sent without a quote` : ''}`;
  plan.actions.push(
    reminderNotice(args, inst, {
      owner,
      expiresAt: decision.expiresAt,
      daysLeft: decision.daysLeft,
      stageDays: decision.stage,
      renewFlag: inst.renewFlag ?? 'unknown',
      autoRenew: { enabled: inst.renewFlag === 'auto', planned: setAutoRenew },
      quote: quote ?? null,
      ...(quoteError && { quoteError }),
      renewPlanned,
      message,
    }, decision.reminderSlot!, decision.reason + (quoteError ? ` (${quoteError}; sent without a quote)` : '')),
  );
  digest.push({
    ...(owner !== null && { owner }),
    instanceId: inst.id,
    name: inst.name,
    expiresAt: decision.expiresAt,
    daysLeft: decision.daysLeft,
    stage: decision.stage,
    ...(quote?.total !== undefined && quote.currency !== undefined && { quote: { amount: quote.total, currency: quote.currency } }),
  });
}

function finishPolicy({ args, plan, digest, unknownCharge }: PolicyRenewal): ScopePlan {
  if (unknownCharge) {
    plan.notes.push({ resourceId: '-', action: 'send-reminder', reason: `${unknownCharge} selected instances report neither a charge type nor an expiry: whether they need renewing is unknown`, status: 'skipped' });
  }
  if (digest.length) plan.actions.push(digestNotice(args, digest));
  return plan;
}

function instanceRef(inst: Instance) {
  return {
    id: inst.id,
    name: inst.name,
    ...(inst.zone !== undefined && { zone: inst.zone }),
    ...(inst.instanceType !== undefined && { instanceType: inst.instanceType }),
    ...(inst.project !== undefined && { project: inst.project }),
  };
}

function scopeFields({ policy, client, target, scope }: ScopeArgs<RenewalPolicy>) {
  return { policy: policy.name, vendor: client.vendor, target: target.name, region: scope.region };
}

type ReminderFields = Omit<RenewalReminderDetail, 'policy' | 'vendor' | 'target' | 'region' | 'instance'>;

function reminderNotice(args: ScopeArgs<RenewalPolicy>, inst: Instance, fields: ReminderFields, slot: string, reason: string): NoticeAction {
  const detail = renewalReminderDetailSchema.parse({ ...scopeFields(args), instance: instanceRef(inst), ...fields });
  return instanceNotice(inst, {
    action: 'send-reminder',
    reason,
    slot,
    before: { expiresAt: detail.expiresAt, renewFlag: detail.renewFlag },
    event: { detailType: RENEWAL_REMINDER, detail },
  });
}

function lapsedNotice(args: ScopeArgs<RenewalPolicy>, inst: Instance, owner: string | null, state: 'expired' | 'isolated' | 'other', slot: string, reason: string): NoticeAction {
  const detail = renewalLapsedDetailSchema.parse({
    ...scopeFields(args),
    instance: instanceRef(inst),
    owner,
    state,
    ...(inst.expiresAt !== undefined && { expiresAt: inst.expiresAt }),
    rawState: inst.rawState,
    message: `${inst.id} (${inst.name}): ${reason}`,
  });
  return instanceNotice(inst, {
    action: 'report-lapsed',
    reason,
    slot,
    before: { rawState: inst.rawState, expiresAt: inst.expiresAt },
    event: { detailType: RENEWAL_LAPSED, detail },
  });
}

function refusedNotice(
  args: ScopeArgs<RenewalPolicy>,
  inst: Instance,
  owner: string | null,
  expiresAt: string,
  renew: NonNullable<RenewalPolicy['renew']>,
  verdict: { reason: string; total?: string },
): NoticeAction {
  const detail = renewalRefusedDetailSchema.parse({
    ...scopeFields(args),
    instance: instanceRef(inst),
    owner,
    expiresAt,
    periodMonths: renew.periodMonths,
    budget: { amount: renew.budget, currency: renew.currency },
    ...(verdict.total !== undefined && { quoteTotal: verdict.total }),
    reason: verdict.reason,
  });
  return instanceNotice(inst, {
    action: 'refuse-renewal',
    reason: verdict.reason,
    slot: `${expiresAt}:${renew.periodMonths}m`,
    before: { expiresAt },
    expected: { budget: renew.budget, currency: renew.currency, ...(verdict.total !== undefined && { quoteTotal: verdict.total }) },
    event: { detailType: RENEWAL_REFUSED, detail },
  });
}

function digestNotice(args: ScopeArgs<RenewalPolicy>, entries: DigestEntry[]): NoticeAction {
  const date = args.deps.now.toISOString().slice(0, 10);
  const owners = groupByOwner(entries).map((g) => ({ owner: g.owner, entries: g.entries.map(({ owner: _owner, ...rest }) => rest) }));
  const lapsed = entries.filter((e) => e.lapsed).length;
  const detail = renewalDigestDetailSchema.parse({ ...scopeFields(args), date, owners, reminders: entries.length - lapsed, lapsed });
  return {
    kind: 'notice',
    undoHint: UNDO.notice,
    resourceId: 'renewal-digest',
    resourceKind: 'other',
    action: 'send-digest',
    reason: `digest of ${entries.length - lapsed} reminder(s) and ${lapsed} lapsed instance(s) for ${owners.length} owner(s)`,
    slot: date,
    destructive: false,
    event: { detailType: RENEWAL_DIGEST, detail },
  };
}

/** Reads one instance back (confirm): undefined when it is gone or the read fails. */
async function readInstance(client: VendorClient, scope: ScopeArgs<RenewalPolicy>['scope'], id: string): Promise<Instance | undefined> {
  for await (const page of client.listInstances(scope, { ids: [id] })) {
    const found = page.find((i) => i.id === id);
    if (found) return found;
  }
  return undefined;
}

function autoRenewAction({ client, scope }: ScopeArgs<RenewalPolicy>, inst: Instance, expiresAt: string): VendorAction {
  return {
    kind: 'vendor',
    resourceId: inst.id,
    resourceKind: 'instance',
    resourceName: inst.name,
    action: 'set-auto-renew',
    sideBySide: true, // per instance: its call waits for no other instance's (engine E8)
    reason: `policy turns auto-renew on (now ${inst.renewFlag ?? 'unknown'})`,
    // once per expiry: switching it off by hand is respected until the expiry moves
    slot: expiresAt,
    destructive: false,
    before: { renewFlag: inst.renewFlag ?? 'unknown', rawRenewFlag: inst.rawRenewFlag },
    expected: { renewFlag: 'auto' },
    undoHint: `set the renew flag of ${inst.id} back to ${inst.rawRenewFlag ?? inst.renewFlag ?? 'its earlier value'} at the vendor`,
    batchKey: 'set-auto-renew',
    run: (ids) => client.setAutoRenew(scope, ids),
    confirm: async () => (await readInstance(client, scope, inst.id))?.renewFlag === 'auto',
  };
}

function renewAction({ client, scope, policy }: ScopeArgs<RenewalPolicy>, inst: Instance, expiresAt: string, periodMonths: number, reason: string): VendorAction {
  return {
    kind: 'vendor',
    resourceId: inst.id,
    resourceKind: 'instance',
    resourceName: inst.name,
    action: 'renew-instance',
    sideBySide: true, // per instance: its call waits for no other instance's (engine E8)
    reason,
    slot: `${expiresAt}:${periodMonths}m`,
    destructive: false,
    before: { expiresAt },
    expected: { renewedFrom: expiresAt, periodMonths },
    undoHint: 'a renewal is a purchase; refunds go through the vendor console',
    batchKey: `renew-instance:${periodMonths}`,
    // the token is derived from the batch and the expiry slots so a retried batch sends the same one
    run: (ids) => client.renewInstances(scope, ids, periodMonths, renewToken(policy.name, ids, expiresAt)),
    confirm: async () => {
      const now = await readInstance(client, scope, inst.id);
      return now?.expiresAt !== undefined && Date.parse(now.expiresAt) > Date.parse(expiresAt);
    },
  };
}

function renewToken(policy: string, ids: string[], expiresAt: string): string {
  return createHash('sha256').update(`${policy}|${[...ids].sort().join(',')}|${expiresAt}`).digest('hex').slice(0, 32);
}
