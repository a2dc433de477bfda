import { AUDIT_FUNCTIONS, type AuditFunction, type ResourceKind } from '../audit/record';
import type { NoticeSeverity } from '../config/notifications';
import { VENDORS, type VendorName } from '../vendors/core/model';

/** The detail-types notify turns into messages (published by the five functions), plus failed actions. */
export const NOTICE_TYPES = [
  'Renewal Reminder',
  'Renewal Lapsed',
  'Renewal Digest',
  'Renewal Refused',
  'Recycle Bin Purge Warning',
  'Recycle Bin Purge Digest',
  'Auto Delete Warning',
  'Auto Delete Digest',
  'Spot Price Alert',
  'Spot Reclaim Alert',
  'Snapshot Quota Exhausted',
  'Snapshot Ready',
  'Snapshot Failed',
  'Snapshot Stuck',
  'Automation Action',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/**
 * Sent only by a route whose `detailTypes` names them: the digests repeat notices people already
 * get one by one, and `Snapshot Ready` says all is well (once per snapshot: noise by default).
 */
export const OPT_IN_TYPES: readonly NoticeType[] = ['Renewal Digest', 'Auto Delete Digest', 'Recycle Bin Purge Digest', 'Snapshot Ready'];

/** What arrives: an EventBridge event (as the bus delivers it) or a BusEvent as published locally. */
export interface IncomingEvent {
  'detail-type'?: string;
  detailType?: string;
  source?: string;
  time?: string;
  detail?: unknown;
}

/** One notice, normalised: what routing, templates and the delivery ledger read. */
export interface Notice {
  type: NoticeType;
  /** The notice's action key (the engine's idempotency key): the once-only delivery is keyed by it. */
  key: string;
  runId: string;
  function: AuditFunction;
  policy: string;
  vendor: VendorName;
  target: string;
  region: string;
  resourceId: string;
  resourceName?: string;
  resourceKind: ResourceKind;
  owner: string | null;
  severity: NoticeSeverity;
  /** The time the reader acts before (expiry, purge, deletion, reclaim), UTC ISO. */
  dueAt?: string;
  detail: Record<string, unknown>;
}

/** Why an event is not a notice (logged, never sent). */
export class NotANotice extends Error {
  override readonly name = 'NotANotice';
}

/** Splits an action key made by makeActionKey (lib/audit/record.ts) back into its parts. */
export function parseActionKey(key: string) {
  const parts = key.split('|').map((p) => p.replace(/%7C/g, '|').replace(/%25/g, '%'));
  if (parts.length !== 7) throw new NotANotice(`action key "${key}" does not have the 7 parts function|policy|target|region|resource|action|slot`);
  const [fn, policy, target, region, resourceId, action, slot] = parts as [string, string, string, string, string, string, string];
  return { function: fn, policy, target, region, resourceId, action, slot };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * The Notice of one bus event, or NotANotice. Successful `Automation Action` events are not
 * notices (only failures reach people); everything else needs the engine's actionKey and runId.
 */
export function toNotice(event: IncomingEvent): Notice {
  const type = event['detail-type'] ?? event.detailType;
  if (!type || !(NOTICE_TYPES as readonly string[]).includes(type)) throw new NotANotice(`detail-type "${type}" is not a notice`);
  const d = obj(event.detail);
  if (type === 'Automation Action' && d.outcome !== 'failed') throw new NotANotice('a successful action is not a notice');
  const key = str(d.actionKey);
  const runId = str(d.runId);
  if (!key || !runId) throw new NotANotice(`${type} without actionKey/runId (not published by the engine)`);
  const k = parseActionKey(key);
  if (!(AUDIT_FUNCTIONS as readonly string[]).includes(k.function)) throw new NotANotice(`unknown function "${k.function}" in action key`);
  const vendor = str(d.vendor);
  if (!vendor || !(VENDORS as readonly string[]).includes(vendor)) throw new NotANotice(`unknown vendor "${vendor}"`);
  const instance = obj(d.instance);
  const base = {
    type: type as NoticeType,
    key,
    runId,
    function: k.function as AuditFunction,
    policy: str(d.policy) ?? k.policy,
    vendor: vendor as VendorName,
    target: str(d.target) ?? k.target,
    region: str(d.region) ?? k.region,
    resourceId: str(instance.id) ?? str(d.instanceId) ?? str(d.resourceId) ?? k.resourceId,
    resourceName: str(instance.name) ?? str(d.instanceName) ?? (d.snapshotId !== undefined ? str(d.name) : undefined),
    owner: typeof d.owner === 'string' && d.owner ? d.owner : null,
    detail: d,
  };
  const t = type as NoticeType;
  return { ...base, resourceKind: kindOf(t, d), severity: severityOf(t, d), dueAt: dueOf(t, d) };
}

function severityOf(type: NoticeType, d: Record<string, unknown>): NoticeSeverity {
  switch (type) {
    case 'Renewal Reminder': {
      const days = typeof d.daysLeft === 'number' ? d.daysLeft : Infinity;
      return days <= 1 ? 'critical' : days <= 7 ? 'warning' : 'info';
    }
    case 'Renewal Digest':
    case 'Auto Delete Digest':
    case 'Recycle Bin Purge Digest':
    case 'Snapshot Ready':
      return 'info';
    case 'Renewal Lapsed':
    case 'Spot Reclaim Alert':
    case 'Snapshot Failed':
    case 'Automation Action':
      return 'critical';
    default:
      return 'warning';
  }
}

function dueOf(type: NoticeType, d: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'Renewal Reminder':
    case 'Renewal Lapsed':
    case 'Renewal Refused':
      return str(d.expiresAt);
    case 'Recycle Bin Purge Warning':
      return str(d.purgeAt);
    case 'Auto Delete Warning':
      return str(d.dueAt);
    case 'Spot Reclaim Alert':
      return str(d.reclaimAt) ?? str(obj(d.instance).reclaimAt);
    default:
      return undefined;
  }
}

function kindOf(type: NoticeType, d: Record<string, unknown>): ResourceKind {
  if (type === 'Recycle Bin Purge Warning') return 'recycle-item';
  if (type === 'Spot Price Alert') return 'price';
  if (type === 'Snapshot Quota Exhausted' || type === 'Renewal Digest' || type === 'Auto Delete Digest' || type === 'Recycle Bin Purge Digest') return 'other';
  if (type === 'Snapshot Ready' || type === 'Snapshot Failed' || type === 'Snapshot Stuck') return 'snapshot';
  if (type === 'Automation Action') return String(d.action ?? '').includes('snapshot') ? 'snapshot' : 'instance';
  return 'instance';
}
