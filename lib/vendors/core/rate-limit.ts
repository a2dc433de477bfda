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

/** One bucket per key (vendor, action, region), created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  take(key: string, ratePerSecond: number): Promise<void> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = bucketForRate(ratePerSecond);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
