import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SpotPricePoint, VendorName } from '../vendors/core';

/**
 * A short spot price history per (vendor, target, region, zone, instance type), kept between
 * runs so that a jump over the recent low is seen even when the vendor returns only the current
 * price (Tencent quotes). Also holds the open alert conditions of spot-prices (condition → the
 * time it started), so a continuing condition does not alert again and a returning one does.
 */

export interface PriceKey {
  vendor: VendorName;
  target: string;
  region: string;
  zone: string;
  instanceType: string;
}

/** One string per series; `|` inside a part is escaped so two keys never collide. */
export function priceKeyId(key: PriceKey): string {
  return [key.vendor, key.target, key.region, key.zone, key.instanceType].map((p) => p.replace(/%/g, '%25').replace(/\|/g, '%7C')).join('|');
}

export interface PriceHistoryStore {
  /** Adds points (a point with the same series and time replaces the stored one); drops points older than `keepSinceIso`. */
  append(points: SpotPricePoint[], keepSinceIso?: string): Promise<void>;
  /** The series' points at or after `sinceIso`, oldest first. */
  recent(key: PriceKey | string, sinceIso: string): Promise<SpotPricePoint[]>;
}

/** Open alert conditions per group (a policy and a price series): condition name → ISO time it started. */
export interface ConditionStore {
  openConditions(group: string): Promise<Record<string, string>>;
  /** Replaces the group's open conditions; an empty record clears the group. */
  setOpenConditions(group: string, open: Record<string, string>): Promise<void>;
}

export type SpotStateStore = PriceHistoryStore & ConditionStore;

export const DEFAULT_PRICE_STATE_PATH = '.automation/state/prices.json';

interface StoredPoint {
  at: string;
  price: string;
  onDemandPrice?: string;
  currency: string;
}

interface StateFile {
  version: 1;
  series: Record<string, { key: PriceKey; points: StoredPoint[] }>;
  conditions: Record<string, Record<string, string>>;
}

function emptyState(): StateFile {
  return { version: 1, series: {}, conditions: {} };
}

/** Shared by the file and memory stores: the state lives in one object; `persist` saves it. */
abstract class StateObjectStore implements SpotStateStore {
  protected abstract load(): StateFile;
  protected abstract persist(state: StateFile): void;

  async append(points: SpotPricePoint[], keepSinceIso?: string): Promise<void> {
    const state = this.load();
    for (const p of points) {
      const key: PriceKey = { vendor: p.vendor, target: p.target, region: p.region, zone: p.zone, instanceType: p.instanceType };
      const series = (state.series[priceKeyId(key)] ??= { key, points: [] });
      const at = new Date(p.at).toISOString();
      const stored: StoredPoint = { at, price: p.price, currency: p.currency, ...(p.onDemandPrice !== undefined && { onDemandPrice: p.onDemandPrice }) };
      const same = series.points.findIndex((s) => s.at === at);
      if (same >= 0) series.points[same] = stored;
      else series.points.push(stored);
    }
    for (const [id, series] of Object.entries(state.series)) {
      series.points.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      if (keepSinceIso !== undefined) {
        const keep = new Date(keepSinceIso).toISOString();
        series.points = series.points.filter((s) => s.at >= keep);
      }
      if (!series.points.length) delete state.series[id];
    }
    this.persist(state);
  }

  async recent(key: PriceKey | string, sinceIso: string): Promise<SpotPricePoint[]> {
    const series = this.load().series[typeof key === 'string' ? key : priceKeyId(key)];
    if (!series) return [];
    const since = new Date(sinceIso).toISOString();
    return series.points.filter((p) => p.at >= since).map((p) => ({ ...series.key, ...p }));
  }

  async openConditions(group: string): Promise<Record<string, string>> {
    return { ...this.load().conditions[group] };
  }

  async setOpenConditions(group: string, open: Record<string, string>): Promise<void> {
    const state = this.load();
    if (Object.keys(open).length) state.conditions[group] = { ...open };
    else delete state.conditions[group];
    this.persist(state);
  }
}

/** For tests and one-off runs. */
export class MemorySpotStateStore extends StateObjectStore {
  private state = emptyState();
  protected load(): StateFile {
    return this.state;
  }
  protected persist(state: StateFile): void {
    this.state = state;
  }
}

/**
 * The local default: one JSON file, rewritten whole through a temporary file and a rename so a
 * crash never leaves half a file. One writing process per file (local runs), like the file audit store.
 */
export class JsonFileSpotStateStore extends StateObjectStore {
  constructor(readonly path: string = DEFAULT_PRICE_STATE_PATH) {
    super();
  }

  protected load(): StateFile {
    if (!existsSync(this.path)) return emptyState();
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new Error(`price state file ${this.path} is not valid JSON (${(e as Error).message}); move it aside to start a fresh history`, { cause: e });
    }
    const state = parsed as Partial<StateFile>;
    if (state?.version !== 1 || typeof state.series !== 'object' || typeof state.conditions !== 'object') {
      throw new Error(`price state file ${this.path} is not a version 1 state file; move it aside to start a fresh history`);
    }
    return state as StateFile;
  }

  protected persist(state: StateFile): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.path);
  }
}
