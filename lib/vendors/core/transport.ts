import { BudgetExceeded, DryRunViolation, VendorError, withTargetHint, type CallOrigin } from './errors';
import { httpFetch, type FetchLike } from './http-fetch';
import type { VendorName } from './model';
import { RateLimiter, sleep, type Release } from './rate-limit';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the transport needs to know about one vendor call. */
export interface ActionMeta {
  vendor: VendorName;
  action: string;
  region: string;
  /** Mutating calls are refused outright by a read-only (dry-run) transport. */
  mutating: boolean;
  /** Documented requests per second for this action; unlimited when absent. */
  ratePerSecond?: number;
  /**
   * A repeat cannot act twice (ClientToken, or deleting what is already gone). Mutations without
   * it are retried only when the vendor surely did not act (throttled, refused before sending).
   */
  idempotent?: boolean;
  /** The client's target: a failure it gives up on names what to check there (`withTargetHint`). */
  origin?: CallOrigin;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface TransportOptions {
  readOnly?: boolean;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Most vendor requests one run may make (all attempts count). */
  requestBudget?: number;
  /** Switch the per-action rate limiters off (benchmarks of raw throughput). */
  rateLimit?: boolean;
  /** Shared with other transports of the run (dry-run and enforce) so together they keep to one rate. */
  limiter?: RateLimiter;
  /** The HTTP client: `httpFetch` (node:http) unless a test or benchmark injects another (the global fetch fits). */
  fetch?: FetchLike;
  /** Injected for tests: jitter source in [0, 1). */
  random?: () => number;
  /** Observes every attempt (request counting in benchmarks, debug logs). Never sees secrets. */
  onAttempt?: (event: AttemptEvent) => void;
}

export interface AttemptEvent {
  vendor: VendorName;
  action: string;
  region: string;
  attempt: number;
  status?: number;
  outcome: 'ok' | 'retry' | 'error';
  code?: string;
  ms: number;
  /** How long the attempt waited for its rate limiter before it was sent. */
  queuedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 8000 };

/**
 * The one way every vendor client reaches the network: rate limit, budget, timeout,
 * retries with full-jitter exponential backoff on throttling/5xx/network errors only.
 * `build` is called per attempt so each attempt is signed afresh (nonce, timestamp).
 * `parse` turns a response into data or throws a VendorError (with `retryable` set).
 */
export class Transport {
  readonly readOnly: boolean;
  private readonly limiter: RateLimiter;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly fetchImpl: FetchLike;
  private readonly random: () => number;
  private used = 0;
  /** Requests sent per `vendor action`, for benchmarks and summaries. */
  readonly counts = new Map<string, number>();

  constructor(private readonly options: TransportOptions = {}) {
    this.readOnly = options.readOnly ?? false;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 15000;
    this.fetchImpl = options.fetch ?? httpFetch;
    this.random = options.random ?? Math.random;
    this.limiter = options.limiter ?? new RateLimiter();
  }

  get requestsSent(): number {
    return this.used;
  }

  async call<T>(
    meta: ActionMeta,
    build: () => HttpRequest | Promise<HttpRequest>,
    parse: (response: HttpResponse) => T,
  ): Promise<T> {
    if (meta.mutating && this.readOnly) throw new DryRunViolation(meta.vendor, meta.action);
    for (let attempt = 1; ; attempt++) {
      if (this.options.requestBudget !== undefined && this.used >= this.options.requestBudget) {
        throw new BudgetExceeded(meta.vendor, this.options.requestBudget);
      }
      let release: Release | undefined;
      const queued = performance.now();
      if (meta.ratePerSecond && this.options.rateLimit !== false) {
        release = await this.limiter.take(`${meta.vendor}|${meta.action}|${meta.region}`, meta.ratePerSecond);
      }
      this.used++;
      const key = `${meta.vendor} ${meta.action}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      const started = performance.now();
      let error: VendorError;
      let status: number | undefined;
      try {
        let response: HttpResponse;
        try {
          // the vendor answers after it counted the request: its window starts at the answer's
          // first bytes (or at the failure), not after the body has been read
          response = await this.send(await build(), release);
        } finally {
          release?.();
        }
        status = response.status;
        const result = parse(response);
        this.report(meta, attempt, 'ok', started, started - queued, status);
        return result;
      } catch (e) {
        error = toVendorError(e, meta, status);
      }
      const last = attempt >= this.retry.maxAttempts || !error.retryable || (meta.mutating && !meta.idempotent && mayHaveActed(error));
      this.report(meta, attempt, last ? 'error' : 'retry', started, started - queued, status, error.code);
      if (last) throw meta.origin ? withTargetHint(error, meta.origin) : error;
      await sleep(this.backoff(attempt));
    }
  }

  /** Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  private async send(request: HttpRequest, answered?: () => void): Promise<HttpResponse> {
    const response = await this.fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    answered?.();
    const body = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body };
  }

  private report(meta: ActionMeta, attempt: number, outcome: AttemptEvent['outcome'], started: number, queuedMs: number, status?: number, code?: string) {
    this.options.onAttempt?.({
      vendor: meta.vendor,
      action: meta.action,
      region: meta.region,
      attempt,
      status,
      outcome,
      code,
      ms: performance.now() - started,
      queuedMs,
    });
  }
}

/**
 * A timeout, a dropped connection, a 5xx or an unreadable answer may come after the vendor acted:
 * a non-idempotent mutation is not sent again (the engine reconciles it from vendor state).
 */
function mayHaveActed(error: VendorError): boolean {
  if (error.mayHaveActed) return true;
  if (error.httpStatus === undefined) return error.code !== 'ECONNREFUSED';
  return error.httpStatus >= 500 || error.code === 'MalformedResponse';
}

/** Anything thrown while sending or parsing becomes a VendorError; only transient failures are retryable. */
function toVendorError(e: unknown, meta: ActionMeta, status: number | undefined): VendorError {
  if (e instanceof VendorError) return e;
  if (e instanceof DryRunViolation || e instanceof BudgetExceeded) throw e;
  const base = { vendor: meta.vendor, action: meta.action, httpStatus: status };
  if (status === undefined) {
    // fetch wraps a socket error (`cause.code`), node:http throws it (`code`)
    const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string } };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    return new VendorError({
      ...base,
      code: timedOut ? 'Timeout' : (err.cause?.code ?? err.code ?? 'NetworkError'),
      message: timedOut ? 'no response before the request timeout' : (err.message ?? String(e)),
      retryable: true,
    });
  }
  // The response arrived but could not be read: a truncated or garbled body (gateway hiccup) or a
  // 5xx page in place of the vendor envelope. Retry those; a readable 4xx was classified by `parse`.
  return new VendorError({
    ...base,
    code: status >= 500 ? `HTTP${status}` : 'MalformedResponse',
    message: `unreadable response (HTTP ${status}): ${(e as Error).message ?? String(e)}`.slice(0, 500),
    retryable: true,
  });
}
