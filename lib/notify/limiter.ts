/** Milliseconds since some origin; only differences matter. Tests hand in a fake. */
export type Clock = () => number;
export type Sleep = (ms: number) => Promise<void>;

export const realClock: Clock = () => Date.now();
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A sliding-window limit per channel (the vendors state theirs as "N per minute" / "N per
 * second"), plus a hold after the vendor said "too fast". `wait()` returns the delay before the
 * next send is allowed; `sent()` records one.
 */
export class SlidingWindowLimiter {
  private readonly sends: number[] = [];
  private holdUntil = 0;

  constructor(
    private readonly perMinute: number,
    private readonly perSecond: number | undefined,
    private readonly clock: Clock,
  ) {}

  wait(): number {
    const now = this.clock();
    while (this.sends.length && this.sends[0]! <= now - 60_000) this.sends.shift();
    let until = this.holdUntil;
    if (this.sends.length >= this.perMinute) until = Math.max(until, this.sends[this.sends.length - this.perMinute]! + 60_000);
    if (this.perSecond !== undefined) {
      const recent = this.sends.filter((t) => t > now - 1_000);
      if (recent.length >= this.perSecond) until = Math.max(until, recent[recent.length - this.perSecond]! + 1_000);
    }
    return Math.max(0, until - now);
  }

  sent(): void {
    this.sends.push(this.clock());
  }

  hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, this.clock() + ms);
  }
}
