import type { SimClock } from './clock';
import type { Faults } from './faults';
import type { Rng } from './random';

export type SimVendorName = 'tencent' | 'kec' | 'alibaba' | 'cecstack';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The raw query string, without `?` (signatures are computed over it). */
  rawQuery: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  host: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body: string | object;
}

export interface SimContext {
  clock: SimClock;
  faults: Faults;
  /** Accepted credentials: access key id → secret. */
  credentials: Map<string, string>;
}

/** Fleet generation knobs shared by every vendor module; each decides what its instances look like. */
export interface FleetOptions {
  rng: Rng;
  count: number;
  now: Date;
  /** Regions to spread the fleet over (vendor-specific names); the module's defaults when absent. */
  regions?: string[];
  /** A mix of interesting states for demos (due timers, expiring prepaid, recycle bin, snapshot histories). */
  demo?: boolean;
}

/**
 * A vendor module of the simulated clouds. It speaks the vendor's documented protocol; the
 * shell around it handles ports, latency, injected faults and rate limits.
 */
export interface VendorSimulator {
  readonly vendor: SimVendorName;
  /** The action a request names (for fault targeting, rate limits and the request log). */
  actionOf(req: SimRequest): string;
  /** Documented requests per second for an action, when the document gives one. */
  rateLimitOf(action: string): number | undefined;
  /** What else, beside the action, a rate limit is counted per (the region); one count when absent. */
  rateScopeOf?(req: SimRequest): string;
  isMutating(action: string): boolean;
  /** The vendor's documented throttling answer. */
  throttled(req: SimRequest): SimResponse;
  /** The vendor's answer for an internal error. */
  serverError(req: SimRequest): SimResponse;
  handle(req: SimRequest, ctx: SimContext): SimResponse | Promise<SimResponse>;
  /** Adds a generated fleet to the module's state. */
  seedFleet(options: FleetOptions): void;
}

export interface RequestLogEntry {
  vendor: SimVendorName;
  action: string;
  mutating: boolean;
  status: number;
  at: string;
  /** Real wall-clock ms when the request arrived and was counted against its rate (business time is `at`). */
  wallMs: number;
  /** Answered with the vendor's throttling error (a rate limit or an injected fault); Tencent's comes with HTTP 200. */
  throttled: boolean;
}
