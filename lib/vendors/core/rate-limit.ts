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
 * Spacing a sliding window needs beyond one second so that requests it lets through a full window
 * apart still land in different one-second windows at the vendor, whatever jitter (queueing,
 * signing, the network) they meet on the way. 25 ms leaves 1000/1025 = 0.976 of the rate usable.
 */
export const WINDOW_MARGIN_MS = 25;

/**
 * At most `rate` requests in any window of `windowMs` (a second plus a margin): the documented
 * rate, all of it, without ever exceeding it in any second however the vendor aligns its seconds.
 * A token bucket cannot do both: a burst big enough to use the whole rate can double it in one
 * second, and the small burst that prevents it leaves a tenth of the rate unused.
 */
export class SlidingWindow {
  /** Send times of the last `rate` requests, oldest first. */
  private readonly sent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    readonly windowMs: number = 1000 + WINDOW_MARGIN_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly pause: (ms: number) => Promise<void> = sleep,
  ) {
    if (!(rate >= 1)) throw new Error(`rate must be at least 1 request per window, got ${rate}`);
  }

  /** Resolves when the request may be sent. */
  take(): Promise<void> {
    const next = this.queue.then(async () => {
      const capacity = Math.floor(this.rate);
      while (this.sent.length >= capacity) {
        const wait = this.sent[0]! + this.windowMs - this.now();
        if (wait <= 0) this.sent.shift();
        else await this.pause(Math.ceil(wait));
      }
      this.sent.push(this.now());
    });
    this.queue = next;
    return next;
  }
}

/** One limiter per key (vendor, action, region), created on first use. */
export class RateLimiter {
  private readonly windows = new Map<string, SlidingWindow | TokenBucket>();

  take(key: string, ratePerSecond: number): Promise<void> {
    let limiter = this.windows.get(key);
    if (!limiter) {
      // below one request a second a window of whole requests does not fit: a slow bucket does
      limiter = ratePerSecond >= 1 ? new SlidingWindow(ratePerSecond) : new TokenBucket(ratePerSecond, 1);
      this.windows.set(key, limiter);
    }
    return limiter.take();
  }
}
