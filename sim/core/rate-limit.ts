/** Per-action one-second windows: the simulator answers the vendor's throttling error past the documented limit. */
export class SimRateLimits {
  enabled = false;
  private windows = new Map<string, { second: number; count: number }>();
  /** Requests refused for exceeding a limit, per action. */
  readonly refused = new Map<string, number>();

  /** True when the request is within the limit (or limits are off). */
  admit(key: string, perSecond: number | undefined, nowMs = Date.now()): boolean {
    if (!this.enabled || !perSecond) return true;
    const second = Math.floor(nowMs / 1000);
    const w = this.windows.get(key);
    if (!w || w.second !== second) {
      this.windows.set(key, { second, count: 1 });
      return true;
    }
    if (w.count >= perSecond) {
      this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
      return false;
    }
    w.count++;
    return true;
  }
}
