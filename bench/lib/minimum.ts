import type { FunctionName } from '../../lib/automations/engine/types';
import { globToRegExp } from '../../lib/automations/engine/select';
import type { AutomationConfig } from '../../lib/config/schema';
import { PAGE_SIZE as CECSTACK_PAGE } from '../../lib/vendors/cecstack/actions';
import type { SimVendorName } from '../../sim/core';
import type { FactInstance } from './facts';

/**
 * The fewest requests a careful hand-written script must send for the work one sweep did, from
 * the documented page and batch limits and the fleet's content (read from the simulator's state):
 *
 * - the instance listing: the pages of the narrowest query the documents allow for what the
 *   function needs (e.g. Tencent `instance-charge-type=PREPAID` for renewals, seed 004 L2226;
 *   Apsara `Tag.n.Key`, seed 001 L1714), ⌈matching instances / largest page⌉, at least one;
 * - Apsara tag values (DescribeTags names one resource, seed 001 L7944): one per *candidate*, the
 *   instances whose decision needs their tags (selected by tag key, by name, expiring prepaid ones),
 *   never one per instance of the fleet;
 * - every other action (mutations, price quotes, disks, snapshots, projects): from what the sweep
 *   changed and asked (`observed`, the request recorder's rule: distinct ids / documented batch,
 *   one per distinct question), since *which* changes a sweep makes is the decision's business.
 *
 * A listing the sweep did not send at all is not required (the function had no use for it).
 */
export interface MinimumInput {
  vendor: SimVendorName;
  fn: FunctionName;
  config: AutomationConfig;
  facts: FactInstance[];
  now: Date;
  /** Per action, the recorder's minimum from what the sweep asked and changed. */
  observed: Record<string, number>;
  /** Actions the simulator received at least one request of. */
  received: Record<string, number>;
}

export interface Minimum {
  total: number;
  byAction: Record<string, number>;
  /** How the content-derived parts were worked out, for the results file. */
  basis: Record<string, string>;
}

const LISTING: Record<SimVendorName, string> = { tencent: 'DescribeInstances', kec: 'DescribeInstances', alibaba: 'DescribeInstances', cecstack: 'ListInstances' };
const PAGE: Record<SimVendorName, number> = { tencent: 100, kec: 1000, alibaba: 100, cecstack: CECSTACK_PAGE };
const DAY_MS = 86_400_000;
/** DescribeInstancesActionTimer: ≤100 InstanceIds a call, like every `.N` list of seed 004 (sim/DECISIONS.md T22). */
const TIMER_READ_IDS = 100;
/** An auto-delete tag a policy can read: ISO 8601 with an offset (the config's documented form). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const pages = (items: number, page: number) => Math.max(1, Math.ceil(items / page));

export function documentedMinimum(input: MinimumInput): Minimum {
  const { vendor, fn, facts, config } = input;
  const byAction: Record<string, number> = { ...input.observed };
  const basis: Record<string, string> = {};
  const listing = LISTING[vendor];
  const page = PAGE[vendor];
  const N = facts.length;
  const tagged = (key: string, value?: string) => facts.filter((i) => i.tags?.[key] !== undefined && (value === undefined || i.tags[key] === value));
  const named = (globs: string[]) => facts.filter((i) => globs.some((g) => globToRegExp(g).test(i.name)));

  let listPages = pages(N, page);
  let listWhy = `all ${N} instances / ${page}`;
  let tagReads: FactInstance[] | undefined; // Apsara only: instances whose tag values the decision needs

  switch (fn) {
    case 'auto-delete': {
      const policies = config.policies.autoDelete ?? [];
      const tagKeys = [...new Set(policies.map((p) => p.source.tag).filter((t): t is string => Boolean(t)))];
      const globs = policies.flatMap((p) => p.selector.names ?? []);
      // a name glob has no documented server-side form on any vendor: the whole fleet is listed once.
      // A policy over the whole scope acting on tag carriers only lists them (Apsara Tag.1.Key, Tencent
      // tag-key); any other policy needs the fleet listed. The blast-radius guard needs the scope's size
      // either way: the full listing's total gives it, else one listing of one item does (engine E6)
      const carriersOnly = (p: (typeof policies)[number]) =>
        Boolean(p.source.tag) && !p.source.list?.length && !p.source.ttl && !p.selector.names?.length && !p.selector.ids?.length && !p.selector.projects?.length && !p.selector.chargeTypes?.length && !Object.keys(p.selector.tags ?? {}).length;
      const fleet = policies.some((p) => !carriersOnly(p));
      if (vendor === 'alibaba') {
        const byTag = tagKeys.flatMap((k) => tagged(k));
        const candidates = new Map([...byTag, ...named(globs)].map((i) => [i.id, i]));
        // tags are not inline: the carriers of each key are listed even beside the fleet (their tags would cost a read each)
        listPages = (fleet ? pages(N, page) : 1) + tagKeys.reduce((n, k) => n + pages(tagged(k).length, page), 0);
        if (!fleet) listWhy = 'PageSize=1 count of the scope (the blast-radius guard\'s base)';
        listWhy += ` + Tag.1.Key=${tagKeys.join(',')} (${byTag.length}) / ${page}`;
        tagReads = [...candidates.values()];
      }
      if (vendor === 'tencent' && !fleet && policies.length) {
        // tags are inline: beside a fleet listing the carriers are in it; alone, one tag-key filter lists them
        // all (its values are alternatives), and the instances whose timer was set and lost the tag are read by id
        const carriers = facts.filter((i) => tagKeys.some((k) => i.tags?.[k] !== undefined));
        const lostTag = facts.filter((i) => i.ourTimer && !carriers.includes(i));
        listPages = 1 + pages(carriers.length, page) + (lostTag.length ? pages(lostTag.length, 100) : 0);
        listWhy = `Limit=1 count of the scope (the blast-radius guard's base) + tag-key=${tagKeys.join(',')} (${carriers.length}) / ${page}${lostTag.length ? ` + ${lostTag.length} whose timer was set, by id / 100` : ''}`;
      }
      if (vendor === 'tencent' && input.received.DescribeInstancesActionTimer) {
        // timers live apart from the instance (sim/DECISIONS.md T22): a careful script reads them for the
        // instances whose decision depends on one: those a policy wants a time for (a valid tag, a list
        // entry, a TTL over its selection) and those carrying a timer it set; ≤100 InstanceIds a read
        const wants = facts.filter((i) =>
          policies.some((p) => {
            if (p.selector.names?.length && !p.selector.names.some((g) => globToRegExp(g).test(i.name))) return false;
            if (p.source.list?.some((e) => e.id === i.id)) return true;
            if (p.source.tag && i.tags?.[p.source.tag] !== undefined && ISO_WITH_OFFSET.test(i.tags[p.source.tag]!)) return true;
            return Boolean(p.source.ttl && p.selector.names?.length);
          }),
        );
        // and before each ImportInstancesActionTimer, its ids' pending timers: Import adds beside, never
        // replaces, so a set deletes what is pending first (T22); the recorder counts the imports
        const need = new Set([...wants.map((i) => i.id), ...facts.filter((i) => i.ourTimer).map((i) => i.id)]);
        const imports = input.observed.ImportInstancesActionTimer ?? 0;
        byAction.DescribeInstancesActionTimer = pages(need.size, TIMER_READ_IDS) + imports;
        basis.DescribeInstancesActionTimer = `${need.size} instance(s) a policy wants a time for or whose timer it set / ${TIMER_READ_IDS}, + ${imports} before the import(s)`;
      }
      break;
    }
    case 'snapshots': {
      const policies = (config.policies.snapshots ?? []).filter((p) => !p.targets?.length || config.targets.some((t) => p.targets!.includes(t.name)));
      const tagSel = policies.flatMap((p) => Object.entries(p.selector.tags ?? {}));
      if (vendor === 'tencent' || vendor === 'alibaba') {
        // tag:<k>=<v> (seed 004 L2226) / Tag.n.Key+Value (seed 001 L1714-1715)
        const matching = tagSel.length ? facts.filter((i) => tagSel.some(([k, v]) => i.tags?.[k] === v)) : facts;
        listPages = pages(matching.length, page);
        listWhy = `${tagSel.map(([k, v]) => `${k}=${v}`).join(',')} (${matching.length}) / ${page}`;
        if (vendor === 'alibaba') tagReads = matching; // the exemption tag of each selected instance
      }
      break;
    }
    case 'spot-prices':
      if (vendor === 'kec') {
        // instance-state.name (seed 000): running instances only; no charge-type filter
        const active = facts.filter((i) => i.state === 'active').length;
        listPages = pages(active, page);
        listWhy = `instance-state.name=active (${active}) / ${page}`;
      }
      break;
    case 'renewal-reminders': {
      const prepaid = facts.filter((i) => i.charge === 'prepaid');
      if (vendor === 'tencent') {
        listPages = pages(prepaid.length, page);
        listWhy = `instance-charge-type=PREPAID (${prepaid.length}) / ${page}`;
      }
      if (vendor === 'alibaba') {
        // owner and exemption tags of the instances a reminder (or lapse report) is due for
        const lead = Math.max(...(config.policies.renewalReminders ?? []).flatMap((p) => p.leadDays), 0) * DAY_MS;
        tagReads = prepaid.filter((i) => i.expiresAtMs !== undefined && i.expiresAtMs <= input.now.getTime() + lead);
      }
      break;
    }
    case 'recycle-bin': {
      const tag = (config.policies.recycleBin ?? [])[0]?.softDeleteTag;
      if (vendor === 'alibaba' && tag) {
        const bin = tagged(tag);
        listPages = pages(bin.length, page);
        listWhy = `Tag.1.Key=${tag} (${bin.length}) / ${page}`;
        tagReads = bin; // the purge time each one carries
      }
      if (vendor === 'kec') {
        const recycling = facts.filter((i) => i.state === 'recycling').length;
        listPages = pages(recycling, page);
        listWhy = `instance-state.name=recycling (${recycling}) / ${page}`;
      }
      // Tencent: the recycle bin (SHUTDOWN) has no filter; the one full listing also shows the soft-delete tags
      break;
    }
  }
  if (input.received[listing]) {
    byAction[listing] = listPages;
    basis[listing] = listWhy;
  }
  if (vendor === 'alibaba' && tagReads && input.received.DescribeTags) {
    // tag reads of other resources (snapshots, disks) keep the recorder's per-id count
    byAction.DescribeTags = tagReads.length + (input.observed['DescribeTags:other'] ?? 0);
    basis.DescribeTags = `${tagReads.length} candidate instance(s), one DescribeTags each`;
  }
  delete byAction['DescribeTags:other'];
  for (const action of Object.keys(byAction)) if (!input.received[action]) delete byAction[action];
  const total = Object.values(byAction).reduce((a, b) => a + b, 0);
  return { total, byAction, basis };
}
