import Big from 'big.js';

/**
 * Money is a decimal string inside the program, never a float. Vendors send prices as JSON
 * numbers or strings; both are normalised here through big.js.
 */
export type Money = string;

export class MoneyFormatError extends Error {
  constructor(value: unknown) {
    super(`expected a decimal amount, got ${JSON.stringify(value)}`);
    this.name = 'MoneyFormatError';
  }
}

export function parseMoney(value: string | number): Money {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new MoneyFormatError(value);
  // String(number) is the shortest round-trip form, equal to the vendor's decimal text.
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) throw new MoneyFormatError(value);
  return new Big(text).toString();
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  return new Big(a).cmp(new Big(b)) as -1 | 0 | 1;
}

export function addMoney(a: Money, b: Money): Money {
  return new Big(a).plus(b).toString();
}

export function subMoney(a: Money, b: Money): Money {
  return new Big(a).minus(b).toString();
}

export function mulMoney(a: Money, b: Money | number): Money {
  return new Big(a).times(b).toString();
}

/** a / b to `dp` decimal places (ratios such as spot / on-demand). */
export function divMoney(a: Money, b: Money, dp = 6): string {
  return new Big(a).div(b).round(dp, Big.roundHalfUp).toString();
}

export function minMoney(values: Money[]): Money | undefined {
  return values.reduce<Money | undefined>((min, v) => (min === undefined || compareMoney(v, min) < 0 ? v : min), undefined);
}
