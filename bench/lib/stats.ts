/** Median with min and max: how every figure of the benchmark is reported. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: number[]): Spread {
  if (!values.length) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** `12.3 (11.9–13.0)`, or the single value when there was one run. */
export function fmt(x: Spread, digits = 1): string {
  if (!x.runs) return 'n/a';
  const f = (n: number) => n.toFixed(digits);
  return x.runs === 1 || x.min === x.max ? f(x.median) : `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
}
