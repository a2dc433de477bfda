/** Where an item's purge time came from; the plan and the warning show it. */
export type PurgeTimeSource =
  | 'vendor'
  | 'vendor retention'
  | 'soft-delete tag'
  | 'our deletion + policy retention'
  | 'deleted event + policy retention'
  | 'first seen + policy retention';

export interface BinItemView {
  id: string;
  purgeAt: string;
  source: PurgeTimeSource;
  /** The vendor still runs this operation on it: no purge or restore this run (sim/DECISIONS.md T17). */
  busyWith?: string;
}

export interface RecycleBinRules {
  warnBeforeMs: number;
  action: 'leave' | 'purge' | 'restore';
  /** The bin is ours (emulated): nobody else purges, so `leave` means we purge when due. */
  emulated: boolean;
  canRestore: boolean;
}

export type BinDecision =
  | { action: 'none'; reason: string }
  | { action: 'warn'; reason: string }
  | { action: 'purge'; reason: string }
  | { action: 'restore'; reason: string };

/** One recycle-bin item: warn ahead of the irreversible purge, then leave, purge or restore per policy. */
export function decideRecycleBin(item: BinItemView, rules: RecycleBinRules, now: Date): BinDecision[] {
  const decisions = decideUnguarded(item, rules, now);
  if (!item.busyWith) return decisions;
  // the vendor refuses a new operation while one runs: warnings still go out, actions wait for the next run
  return decisions.map((d) =>
    d.action === 'purge' || d.action === 'restore'
      ? { action: 'none', reason: `${d.reason}; busy: the vendor is still running ${item.busyWith} on it (LatestOperationState OPERATING): no ${d.action} this run, the next run retries` }
      : d,
  );
}

function decideUnguarded(item: BinItemView, rules: RecycleBinRules, now: Date): BinDecision[] {
  const purgeMs = Date.parse(item.purgeAt);
  const due = purgeMs <= now.getTime();
  const when = `purge at ${item.purgeAt} (${item.source})`;
  const out: BinDecision[] = [];
  if (rules.action === 'restore' && rules.canRestore)
    return [{ action: 'restore', reason: `policy restores: ${when}` }];
  // the purge still comes when a restore is impossible: warn ahead of it all the same
  if (!due && purgeMs - rules.warnBeforeMs <= now.getTime())
    out.push({ action: 'warn', reason: `irreversible ${when}` });
  if (rules.action === 'restore')
    out.push({
      action: 'none',
      reason: `policy restores, but this vendor cannot restore from its bin: ${when}`,
    });
  else if (rules.action === 'purge')
    out.push({ action: 'purge', reason: `policy purges now to free quota (${when})` });
  else if (rules.emulated && due)
    out.push({ action: 'purge', reason: `soft-delete bin time is up: ${when}` });
  else
    out.push({
      action: 'none',
      reason: rules.emulated ? `kept until ${when}` : `left to the vendor: ${when}`,
    });
  return out;
}
