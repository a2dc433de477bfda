import { ApiError } from './protocol';

/** Typed access to flat wire parameters (`InstanceIds.0`, `Filters.0.Values.1`, `InstanceChargePrepaid.Period`). */
export class WireParams {
  constructor(private readonly map: Map<string, string>) {}

  /** Top-level parameter names present (`Filters.0.Name` → `Filters`). */
  roots(): Set<string> {
    return new Set([...this.map.keys()].map((k) => k.split('.')[0]!));
  }

  has(root: string): boolean {
    return this.roots().has(root);
  }

  str(name: string): string | undefined {
    return this.map.get(name);
  }

  int(name: string, fallback: number): number {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw new ApiError('InvalidParameterValue', `${name} must be an integer, got ${JSON.stringify(v)}`);
    return Number(v);
  }

  /** `Name.0`, `Name.1`, … in index order (seed 004 L192-198, subscripts from 0). */
  list(name: string): string[] {
    const out: [number, string][] = [];
    const re = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)$`);
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  filters(): { Name: string; Values: string[] }[] {
    const idx = new Set<number>();
    for (const k of this.map.keys()) {
      const m = /^Filters\.(\d+)\./.exec(k);
      if (m) idx.add(Number(m[1]));
    }
    return [...idx]
      .sort((a, b) => a - b)
      .map((i) => {
        const name = this.map.get(`Filters.${i}.Name`);
        if (name === undefined) throw new ApiError('MissingParameter', `Filters.${i}.Name is missing`);
        return { Name: name, Values: this.list(`Filters.${i}.Values`) };
      });
  }
}
