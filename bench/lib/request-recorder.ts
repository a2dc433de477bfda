import { ACTIONS as ALIBABA } from '../../lib/vendors/alibaba/actions';
import { ACTIONS as CECSTACK, PAGE_SIZE as CECSTACK_PAGE } from '../../lib/vendors/cecstack/actions';
import { ACTIONS as KEC } from '../../lib/vendors/kec/actions';
import { ACTIONS as TENCENT } from '../../lib/vendors/tencent/actions';
import { TIMER_ACTIONS as TENCENT_TIMERS } from '../../lib/vendors/tencent/action-timers';
import { httpFetch, type FetchLike } from '../../lib/vendors/core';
import type { SimVendorName } from '../../sim/core';

/** What the documents say about one action: does it mutate, largest page, most ids per call. */
export interface ActionLimits {
  mutating: boolean;
  pageSize?: number;
  batch?: number;
}

/** The clients' own action tables (their documented page and batch sizes, with seed lines). */
export function actionLimits(vendor: SimVendorName, action: string): ActionLimits {
  switch (vendor) {
    case 'tencent': {
      const a = ({ ...TENCENT, ...TENCENT_TIMERS } as Record<string, { mutating: boolean; pageSize?: number; batchLimit?: number }>)[action];
      return { mutating: a?.mutating ?? false, pageSize: a?.pageSize, batch: a?.batchLimit };
    }
    case 'kec': {
      const a = (KEC as Record<string, { mutating: boolean; pageSize?: number; maxBatch?: number }>)[action];
      return { mutating: a?.mutating ?? false, pageSize: a?.pageSize, batch: a?.maxBatch };
    }
    case 'alibaba': {
      const a = (ALIBABA as Record<string, { mutating: boolean; pageSize?: number; batchLimit?: number }>)[action];
      // AddTags/RemoveTags name one ResourceId (seed 001 L7801, L7868): their limit of 5 is tags per call, not resources
      const perResource = action === 'AddTags' || action === 'RemoveTags';
      return { mutating: a?.mutating ?? false, pageSize: a?.pageSize, batch: perResource ? undefined : a?.batchLimit };
    }
    case 'cecstack': {
      const a = CECSTACK[action as keyof typeof CECSTACK] as { mutating: boolean; paging?: string; batch?: number } | undefined;
      return { mutating: a?.mutating ?? false, pageSize: a?.paging ? CECSTACK_PAGE : undefined, batch: a?.batch };
    }
  }
}

/** Parameters that change per attempt or per page: left out when deciding whether two requests ask the same thing. */
const VOLATILE = /^(Signature|SignatureNonce|Nonce|Timestamp|X-Amz-.*|ClientToken|Offset|Limit|Marker|MaxResults|PageNumber|PageSize|pageNumber|pageSize|current|size|StartTime|EndTime)$/;
/** Parameters that name the resources a call acts on. */
const ID_PARAM = /^(InstanceIds?|ImageIds?|DiskIds?|DiskId|SnapshotIds?|SnapshotId|ResourceId|LocalVolumeId|LocalVolumeSnapshotId|ecsIds|ids|instanceIds)(\.\d+)?$/;
const PAGE_PARAM = /^(Offset|Marker|PageNumber|pageNumber|current)$/;

interface Seen {
  sent: number;
  ids: Set<string>;
  /** A mutation's ids per distinct set of its other parameters: ids that need different parameters cannot share a call. */
  mutations: Map<string, Set<string>>;
  /** Ids named by reads of a paged action (lookups by id, apart from its listings). */
  readIds: Set<string>;
  items: Set<string>;
  signatures: Set<string>;
  /** Answered requests of an action the documents give no page size for, first pages and later ones (a cursor). */
  firstPages: number;
  laterPages: number;
}

/**
 * Wraps the transport's fetch and works out, per action, the fewest requests the documents allow
 * for what this sweep read and changed:
 * - a paged listing: ceil(distinct items / largest page), at least one per distinct query;
 * - reads of the same action by id: ceil(distinct ids / documented batch, else 1), on top;
 * - a mutation naming resources: ceil(distinct ids / documented batch, else 1) per distinct set of
 *   its other parameters (one ImportInstancesActionTimer sets one time for all its ids);
 * - any other read: one per distinct question asked, times the pages of one answer when the
 *   vendor pages it with a page size the documents do not give (KEC Marker paging);
 * Retries and repeated listings are what push `sent` above it.
 */
export class RequestRecorder {
  private readonly actions = new Map<string, Seen>();
  constructor(private readonly vendor: SimVendorName) {}

  /** The production HTTP client (`httpFetch`), each answer read once and handed on. */
  readonly fetch: FetchLike = async (input, init) => {
    const response = await httpFetch(input, init);
    const text = await response.text();
    try {
      this.record(new URL(input), init.method, init.body ?? '', response.status, text);
    } catch {
      // a body the recorder cannot read is still counted by the transport
    }
    return { status: response.status, headers: response.headers, text: async () => text };
  };

  private record(url: URL, method: string, body: string, status: number, text: string) {
    const params: [string, string][] = [...url.searchParams.entries()];
    let jsonBody: unknown;
    if (body) {
      if (body.trimStart().startsWith('{') || body.trimStart().startsWith('[')) jsonBody = JSON.parse(body);
      else params.push(...new URLSearchParams(body).entries());
    }
    const action = params.find(([k]) => k === 'Action')?.[1] ?? cecstackAction(method, url.pathname);
    // Apsara tag reads of snapshots and disks are kept apart from those of instances (whose minimum comes from the fleet)
    const resourceType = params.find(([k]) => k === 'ResourceType')?.[1];
    const key = action === 'DescribeTags' && resourceType && resourceType !== 'instance' ? 'DescribeTags:other' : action;
    const seen = this.actions.get(key) ?? { sent: 0, ids: new Set<string>(), mutations: new Map<string, Set<string>>(), readIds: new Set<string>(), items: new Set<string>(), signatures: new Set<string>(), firstPages: 0, laterPages: 0 };
    this.actions.set(key, seen);
    seen.sent++;
    if (status !== 200) return;
    const ids: string[] = [];
    for (const [k, v] of params) if (ID_PARAM.test(k)) ids.push(...(v.startsWith('[') ? (JSON.parse(v) as string[]) : [v]));
    if (this.vendor === 'cecstack') {
      const m = /\/(?:instances|snapshot|policy|recycle\/snapshot|recycle\/instances)\/([^/]+)/.exec(url.pathname);
      if (m && !['batch-delete', 'batch-stop', 'recycle-config', 'query-price'].includes(m[1]!)) ids.push(decodeURIComponent(m[1]!));
      if (jsonBody && typeof jsonBody === 'object') for (const [k, v] of Object.entries(jsonBody)) if (ID_PARAM.test(k) && Array.isArray(v)) ids.push(...(v as string[]));
    }
    const limits = actionLimits(this.vendor, action);
    if (ids.length && limits.pageSize && !limits.mutating) {
      // a lookup by id next to the listings of the same action: its own minimum
      for (const id of ids) seen.readIds.add(id);
      return;
    }
    for (const id of ids) seen.ids.add(id);
    const question = params.filter(([k]) => !VOLATILE.test(k) && !ID_PARAM.test(k)).map(([k, v]) => `${k}=${v}`).sort().join('&');
    if (limits.mutating && ids.length) {
      const rest = jsonBody && typeof jsonBody === 'object' ? Object.entries(jsonBody).filter(([k]) => !ID_PARAM.test(k)) : [];
      const what = `${question}|${JSON.stringify(rest)}`;
      const group = seen.mutations.get(what) ?? new Set<string>();
      seen.mutations.set(what, group);
      for (const id of ids) group.add(id);
    }
    const isFirstPage = !params.some(([k, v]) => PAGE_PARAM.test(k) && v !== '0' && v !== '1');
    if (!limits.pageSize && !limits.mutating) {
      if (isFirstPage) seen.firstPages++;
      else seen.laterPages++;
    }
    if (isFirstPage) seen.signatures.add(`${url.pathname}?${question}|${ids.join(',')}|${JSON.stringify(jsonBody ?? '')}`);
    if (limits.pageSize && !limits.mutating) for (const item of itemIds(JSON.parse(text))) seen.items.add(item);
  }

  /** Requests sent and the documented minimum, per action and in total. */
  minimum(): { total: number; byAction: Record<string, { sent: number; minimum: number }> } {
    const byAction: Record<string, { sent: number; minimum: number }> = {};
    let total = 0;
    for (const [action, seen] of this.actions) {
      const limits = actionLimits(this.vendor, action.replace(/:other$/, ''));
      let minimum: number;
      // e.g. Tencent ImportInstancesActionTimer carries one ActionTimer (one time) for all its InstanceIds
      if (seen.ids.size > 0 && limits.mutating) minimum = [...seen.mutations.values()].reduce((n, ids) => n + Math.ceil(ids.size / (limits.batch ?? 1)), 0);
      else if (limits.pageSize && !limits.mutating) minimum = Math.max(seen.signatures.size, Math.ceil(seen.items.size / limits.pageSize));
      // paged by the vendor's own page size (undocumented, e.g. KEC DescribeLocalVolumes by Marker): the pages of one listing per question
      else if (seen.laterPages) minimum = seen.signatures.size * Math.round((seen.firstPages + seen.laterPages) / seen.firstPages);
      else minimum = seen.signatures.size;
      if (seen.readIds.size > 0) minimum += Math.ceil(seen.readIds.size / (limits.batch ?? 1));
      byAction[action] = { sent: seen.sent, minimum };
      total += minimum;
    }
    return { total, byAction };
  }
}

/** Matches a CECSTACK REST request to the client's action table by method and path. */
function cecstackAction(method: string, pathname: string): string {
  const path = pathname.replace(/^.*\/api\/ecs\/v1/, '');
  // fixed paths first: `/instances/batch-delete` is not DeleteInstance of an instance named batch-delete
  const specs = Object.entries(CECSTACK).sort(([, a], [, b]) => Number(a.path('\u0000').includes('%00')) - Number(b.path('\u0000').includes('%00')));
  for (const [name, spec] of specs) {
    if (spec.method !== method) continue;
    const pattern = spec.path('\u0000').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('%00', '[^/]+');
    if (new RegExp(`^${pattern}$`).test(path)) return name;
  }
  return `${method} ${path}`;
}

/** The ids of the items in a listing response: the largest array of objects, each item's first *Id field. */
function itemIds(body: unknown): string[] {
  let best: unknown[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (v.length > best.length && typeof v[0] === 'object') best = v;
      return;
    }
    for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(body, 0);
  return best.map((item) => {
    const o = item as Record<string, unknown>;
    const key = Object.keys(o).find((k) => /(^id|Id)$/.test(k) && typeof o[k] === 'string') ?? Object.keys(o)[0]!;
    return String(o[key]);
  });
}
