import { durationMs } from '../../config/fields';
import type { SnapshotState } from '../../vendors/core';
import type { RetentionRules } from './policy';
import { periodKey, type Period } from './zone';

/** One snapshot of one source, as retention sees it. */
export interface RetentionItem {
  id: string;
  createdAt: string;
  state: SnapshotState;
  inUse?: boolean;
  /** Made by this policy (or adopted: `adoptForeign`). Others are never touched. */
  ours: boolean;
}

export type KeepRule =
  | 'keepLast'
  | 'keepDaily'
  | 'keepWeekly'
  | 'keepMonthly'
  | 'keepYearly'
  | 'withinMaxAge'
  | 'newest'
  | 'minKeep'
  | 'inUse'
  | 'creating'
  | 'unknownState';

export interface RetentionVerdict {
  id: string;
  /** `ignore`: not ours, or already being deleted: retention does not touch it. */
  verdict: 'keep' | 'delete' | 'ignore';
  /** For `keep`: every rule that keeps it. */
  rules: KeepRule[];
  reason: string;
}

const PERIODS: [Extract<KeepRule, 'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly'>, Period][] = [
  ['keepDaily', 'day'],
  ['keepWeekly', 'week'],
  ['keepMonthly', 'month'],
  ['keepYearly', 'year'],
];

/** Newest first; ties by id, so the result never depends on the order the vendor listed them in. */
export function newestFirst<T extends { createdAt: string; id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Retention for one source (pure). Only ready snapshots count towards the rules:
 * - keep rules (GFS): the newest `keepLast`; the newest per day/week/month/year for the newest
 *   `keepDaily`/… such periods that have a snapshot, periods reckoned in `zone`;
 *   with no keep rule set, every ready snapshot is kept (subject to `maxAge`);
 * - `maxAge` drops what is older, whatever keep rule holds it;
 * - then the floors, which beat `maxAge`: the newest ready snapshot is always kept, and the newest
 *   ready ones are added until `minKeep` are kept;
 * - never deleted: in use (vendor says so), still creating, unknown state; `deleting` and foreign
 *   snapshots are ignored; failed ones of ours are deleted (they count for nothing).
 * Returns one verdict per item, newest first.
 */
export function decide(items: RetentionItem[], rules: RetentionRules, now: Date, zone: string): RetentionVerdict[] {
  const sorted = newestFirst(items);
  const ready = sorted.filter((s) => s.ours && s.state === 'ready');
  const kept = new Map<string, { rule: KeepRule; detail?: string }[]>();
  const add = (id: string, rule: KeepRule, detail?: string) => kept.set(id, [...(kept.get(id) ?? []), { rule, detail }]);

  const hasKeepRule = [rules.keepLast, rules.keepDaily, rules.keepWeekly, rules.keepMonthly, rules.keepYearly].some((n) => n !== undefined);
  if (!hasKeepRule) for (const s of ready) add(s.id, 'withinMaxAge');
  ready.slice(0, rules.keepLast ?? 0).forEach((s, i) => add(s.id, 'keepLast', `#${i + 1}`));
  for (const [rule, period] of PERIODS) {
    const wanted = rules[rule] ?? 0;
    const seen = new Set<string>();
    for (const s of ready) {
      if (seen.size >= wanted) break;
      const key = periodKey(Date.parse(s.createdAt), period, zone);
      if (seen.has(key)) continue;
      seen.add(key);
      add(s.id, rule, key);
    }
  }

  const cutoff = rules.maxAge ? now.getTime() - durationMs(rules.maxAge) : -Infinity;
  const tooOld = (s: RetentionItem) => Date.parse(s.createdAt) < cutoff;
  for (const s of ready) if (tooOld(s)) kept.delete(s.id);

  if (ready[0]) add(ready[0].id, 'newest');
  for (const s of ready) {
    if (kept.size >= rules.minKeep) break;
    if (!kept.has(s.id)) add(s.id, 'minKeep', `floor ${rules.minKeep}`);
  }

  return sorted.map((s): RetentionVerdict => {
    if (!s.ours) return { id: s.id, verdict: 'ignore', rules: [], reason: 'not made by this policy (adoptForeign is off): never touched' };
    if (s.state === 'deleting') return { id: s.id, verdict: 'ignore', rules: [], reason: 'already being deleted' };
    const protect: KeepRule | undefined = s.inUse ? 'inUse' : s.state === 'creating' ? 'creating' : s.state === 'unknown' ? 'unknownState' : undefined;
    if (protect) add(s.id, protect);
    const why = kept.get(s.id);
    if (why) return { id: s.id, verdict: 'keep', rules: why.map((w) => w.rule), reason: `kept by ${why.map(describe).join(', ')}` };
    if (s.state === 'failed') return { id: s.id, verdict: 'delete', rules: [], reason: 'snapshot failed at the vendor: counts for nothing' };
    if (tooOld(s)) return { id: s.id, verdict: 'delete', rules: [], reason: `older than maxAge ${rules.maxAge} (created ${s.createdAt})` };
    return { id: s.id, verdict: 'delete', rules: [], reason: `kept by no rule (${ruleSummary(rules)})` };
  });
}

const DESCRIPTIONS: Record<KeepRule, string> = {
  keepLast: 'keepLast',
  keepDaily: 'keepDaily',
  keepWeekly: 'keepWeekly',
  keepMonthly: 'keepMonthly',
  keepYearly: 'keepYearly',
  withinMaxAge: 'no keep rule set (kept within maxAge)',
  newest: 'newest ready snapshot',
  minKeep: 'minKeep',
  inUse: 'in use at the vendor',
  creating: 'still creating (not counted)',
  unknownState: 'unknown vendor state',
};

function describe(w: { rule: KeepRule; detail?: string }): string {
  return w.detail ? `${DESCRIPTIONS[w.rule]} (${w.detail})` : DESCRIPTIONS[w.rule];
}

function ruleSummary(rules: RetentionRules): string {
  const parts = (['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly', 'maxAge', 'minKeep'] as const)
    .filter((k) => rules[k] !== undefined)
    .map((k) => `${k} ${rules[k]}`);
  return parts.join(', ');
}
