/** Token bucket: `rate` tokens per second, up to `burst` saved. Waiting callers queue in order. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    readonly burst: number = Math.max(1, rate),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Resolves when a token is taken. */
  take(): Promise<void> {
    const next = this.queue.then(async () => {
      this.refill();
      while (this.tokens < 1) {
        await sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = next;
    return next;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A bucket that never lets more than `ratePerSecond` requests into any one-second window: a
 * bucket admits its burst plus its refill rate per second, so the burst is a tenth of the rate and
 * the refill the rest (vendors count per clock second; 40/s must not become 80 in one second).
 */
export function bucketForRate(ratePerSecond: number, now?: () => number): TokenBucket {
  if (ratePerSecond < 2) return new TokenBucket(ratePerSecond, 1, now);
  const burst = Math.max(1, Math.floor(ratePerSecond / 10));
  return new TokenBucket(ratePerSecond - burst, burst, now);
}

/**
 * Beyond the second itself: clock granularity only (the vendor floors its clock to the millisecond,
 * and our monotonic clock and its wall clock may differ by a fraction of one). Network and
 * scheduling jitter need no margin: the window starts when the answer came back (see SlidingWindow).
 */
export const WINDOW_MARGIN_MS = 3;

/** Given back by `take()`: call it when the request's answer (or its failure) has arrived. */
export type Release = () => void;

/**
 * At most `rate` requests in any window of `windowMs`, each request counted from when it was sent
 * until `windowMs` after its answer came back. The vendor counts a request when it arrives, which
 * is after we send it and before we read its answer: a request is counted at the vendor within
 * [sent, answered], so if request N+rate goes out no earlier than `windowMs` after request N was
 * answered, no second the vendor counts by (clock-aligned or sliding) ever sees more than `rate`,
 * however late a request arrived (a busy event loop, a busy server, the network). Counting from the
 * send time instead (as before) needed a margin for that lateness, and any lateness beyond it was a
 * throttled answer, while every millisecond of margin was rate given away. This way the price is
 * the round trip of one request per window: 1000 / (1000 + RTT) of the rate.
 */
export class SlidingWindow {
  /** Answer times of the requests still counted; Infinity while in flight (all alike, so a release may take any). */
  private readonly live: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private answered: (() => void)[] = [];

  constructor(
    readonly rate: number,
    readonly windowMs: number = 1000 + WINDOW_MARGIN_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly pause: (ms: number) => Promise<void> = sleep,
  ) {
    if (!(rate >= 1)) throw new Error(`rate must be at least 1 request per window, got ${rate}`);
  }

  /** Resolves when the request may be sent, with the function to call when its answer arrives. */
  take(): Promise<Release> {
    const next = this.queue.then(async () => {
      const capacity = Math.floor(this.rate);
      for (;;) {
        const t = this.now();
        for (let i = this.live.length - 1; i >= 0; i--) if (this.live[i]! + this.windowMs <= t) this.live.splice(i, 1);
        if (this.live.length < capacity) break;
        // a slot frees only when a window after an answer ends; an answer arriving now starts a
        // window ending later than any already running, so the earliest running one is the wait
        const earliest = Math.min(...this.live);
        if (Number.isFinite(earliest)) await this.pause(Math.max(1, Math.ceil(earliest + this.windowMs - t)));
        else await new Promise<void>((resolve) => this.answered.push(resolve)); // all in flight
      }
      this.live.push(Infinity);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const i = this.live.indexOf(Infinity);
        if (i >= 0) this.live[i] = this.now();
        const waiting = this.answered;
        this.answered = [];
        for (const w of waiting) w();
      };
    });
    this.queue = next;
    return next;
  }
}

/** One limiter per key (vendor, action, region), created on first use; `take` resolves to the release to call on the answer. */
export class RateLimiter {
  private readonly windows = new Map<string, SlidingWindow | TokenBucket>();

  async take(key: string, ratePerSecond: number): Promise<Release> {
    let limiter = this.windows.get(key);
    if (!limiter) {
      // below one request a second a window of whole requests does not fit: a slow bucket does
      limiter = ratePerSecond >= 1 ? new SlidingWindow(ratePerSecond) : new TokenBucket(ratePerSecond, 1);
      this.windows.set(key, limiter);
    }
    if (limiter instanceof SlidingWindow) return limiter.take();
    await limiter.take();
    return () => undefined;
  }
}
