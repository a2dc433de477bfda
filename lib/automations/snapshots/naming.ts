import { createHash } from 'node:crypto';
import type { Snapshot, VendorLimits } from '../../vendors/core';

/**
 * Shortest snapshot/image name limit across the seeds: Tencent ImageName ≤ 20 characters
 * (seed 004 L4655). KEC allows 2–40 (seed 000 L4752), Alibaba 2–128 starting with a letter and
 * never `auto`/`http` (seed 001, SnapshotName rules). Used when the client states no limit.
 */
export const DEFAULT_NAME_MAX = 20;

/** The client's stated limit (`VendorLimits.snapshotNameMaxLength`), else the shortest known. */
export function nameMaxLength(limits: VendorLimits): number {
  const stated = limits.snapshotNameMaxLength;
  return typeof stated === 'number' && stated > 0 ? stated : DEFAULT_NAME_MAX;
}

const PREFIX = /^[A-Za-z][A-Za-z0-9-]*$/;

/** Why a name prefix cannot work on every vendor, or undefined. */
export function prefixProblem(prefix: string): string | undefined {
  if (!PREFIX.test(prefix)) return `namePrefix "${prefix}" must start with a letter and hold only letters, digits and "-" (vendor name rules)`;
  if (/^(auto|http)/i.test(prefix)) return `namePrefix "${prefix}" must not start with "auto" or "http" (Alibaba reserves them, seed 001)`;
  return undefined;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '-');
const tail = (s: string, n: number) => slug(s).slice(-n);
const hash = (s: string, n: number) => BigInt(`0x${createHash('sha256').update(s).digest('hex').slice(0, 16)}`).toString(36).padStart(n, '0').slice(-n);

/**
 * Deterministic name of the snapshot a policy takes of a source in a slot, charset [A-Za-z0-9-]:
 * `<prefix><policy>-<yyyyMMddHHmm>-<last 8 of source id>` when it fits the vendor's limit, else
 * the compact `<prefix><6-char hash of policy+source>-<yyMMddHHmm>` (fits 20 with the default prefix).
 */
export function snapshotName(prefix: string, policy: string, sourceId: string, stamp: string, maxLength: number): string {
  const long = `${prefix}${slug(policy)}-${stamp}-${tail(sourceId, 8)}`;
  if (long.length <= maxLength) return long;
  const compact = `${prefix}${hash(`${policy}|${sourceId}`, 6)}-${stamp.slice(2)}`;
  if (compact.length <= maxLength) return compact;
  throw new Error(`namePrefix "${prefix}" is too long: snapshot names on this vendor hold at most ${maxLength} characters; use a prefix of at most ${maxLength - 17}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches either name form this policy gives snapshots of this source (whatever the slot). */
export function ourNamePattern(prefix: string, policy: string, sourceId: string): RegExp {
  const long = `${escape(prefix)}${escape(slug(policy))}-\\d{12}-${escape(tail(sourceId, 8))}`;
  const compact = `${escape(prefix)}${hash(`${policy}|${sourceId}`, 6)}-\\d{10}`;
  return new RegExp(`^(?:${long}|${compact})$`);
}

/**
 * Ours: a name this policy gives this source. The managed tag alone does not make a snapshot ours:
 * another policy (or one since renamed) may have made it, and each policy prunes only its own.
 */
export function isOurs(snapshot: Pick<Snapshot, 'name'>, pattern: RegExp): boolean {
  return pattern.test(snapshot.name);
}

/** Idempotency token from the action key: ASCII, ≤ 64 (Alibaba ClientToken), stable across retries. */
export function clientTokenFor(actionKey: string): string {
  return `ca-${createHash('sha256').update(actionKey).digest('hex').slice(0, 32)}`;
}
