import type { RunContext } from './context';

export const outcomes = ['planned', 'applied', 'failed', 'skipped'] as const;
export type Outcome = (typeof outcomes)[number];
export type Counts = Record<Outcome, number>;

/** What a run returns: counts per target and region, and a cursor when it stopped early. */
export interface RunSummary {
  function: string;
  runId: string;
  trigger: RunContext['trigger']['kind'];
  totals: Counts;
  /** target -> region -> counts */
  byTarget: Record<string, Record<string, Counts>>;
  /** Present when the run stopped before finishing (timeout margin reached): continue from here. */
  continuation?: { cursor: unknown };
}

const zero = (): Counts => ({ planned: 0, applied: 0, failed: 0, skipped: 0 });

export class SummaryBuilder {
  private readonly summary: RunSummary;

  constructor(ctx: Pick<RunContext, 'function' | 'runId' | 'trigger'>) {
    this.summary = {
      function: ctx.function,
      runId: ctx.runId,
      trigger: ctx.trigger.kind,
      totals: zero(),
      byTarget: {},
    };
  }

  count(target: string, region: string, outcome: Outcome, n = 1): this {
    const regions = (this.summary.byTarget[target] ??= {});
    (regions[region] ??= zero())[outcome] += n;
    this.summary.totals[outcome] += n;
    return this;
  }

  /** The run stopped early; the next invocation resumes from `cursor`. */
  stoppedAt(cursor: unknown): this {
    this.summary.continuation = { cursor };
    return this;
  }

  build(): RunSummary {
    return structuredClone(this.summary);
  }
}

export const createSummary = (ctx: Pick<RunContext, 'function' | 'runId' | 'trigger'>) =>
  new SummaryBuilder(ctx);
