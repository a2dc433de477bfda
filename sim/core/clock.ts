/** The simulated clouds' business clock (purge times, expiries, snapshot progress); tests move it. */
export class SimClock {
  private offsetMs = 0;
  private frozen?: number;

  now(): Date {
    return new Date(this.frozen ?? Date.now() + this.offsetMs);
  }

  nowMs(): number {
    return this.now().getTime();
  }

  /** Freezes the clock at `at`. */
  set(at: Date | string): void {
    this.frozen = new Date(at).getTime();
  }

  advance(ms: number): void {
    if (this.frozen !== undefined) this.frozen += ms;
    else this.offsetMs += ms;
  }
}
