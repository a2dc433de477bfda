/**
 * `latency` waits before the request is handled (its answer leaves latency + the handling later);
 * `round-trip` handles it at once and answers `latencyMs` after it arrived (the handling inside the
 * round trip, as a cloud's servers do it beside the network's time), or when handled if later.
 */
export type FaultKind = 'throttle' | '5xx' | 'malformed' | 'hang' | 'latency' | 'round-trip';

export interface FaultRule {
  kind: FaultKind;
  /** Limit to one vendor / one action; all when absent. */
  vendor?: string;
  action?: string;
  /** Fire this many times, then retire (default: forever). */
  times?: number;
  /** Fire with this probability per matching request (seeded, deterministic); default 1. */
  probability?: number;
  /** For `latency` and `round-trip` (and the delay of `hang`). */
  latencyMs?: number;
}

/** The fault-injection control tests drive: throttling, 5xx, latency, malformed bodies, failing ids. */
export class Faults {
  private rules: (FaultRule & { left: number })[] = [];
  private failing = new Set<string>();
  private seed = 0x9e3779b9;

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** Batch mutations that include one of these ids fail with the vendor's documented error for it. */
  failIds(...ids: string[]): void {
    for (const id of ids) this.failing.add(id);
  }

  isFailingId(id: string): boolean {
    return this.failing.has(id);
  }

  clear(): void {
    this.rules = [];
    this.failing.clear();
  }

  /** The faults that fire for this request (consumes their counts). */
  fire(vendor: string, action: string): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.left <= 0) continue;
      if (rule.vendor && rule.vendor !== vendor) continue;
      if (rule.action && rule.action !== action) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.left--;
      fired.push(rule);
    }
    return fired;
  }

  private random(): number {
    // xorshift32: deterministic across runs, independent of the fleet generator
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 4294967296;
  }
}
