import { z } from 'zod';
import { VENDORS } from '../vendors/core/model';

/** Bump when a field changes meaning; readers branch on it. */
export const AUDIT_SCHEMA_VERSION = 1;

export const AUDIT_PHASES = ['planned', 'intent', 'result', 'notice'] as const;
export const AUDIT_TRIGGERS = ['schedule', 'event', 'manual'] as const;
export const AUDIT_FUNCTIONS = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'] as const;
export const RESOURCE_KINDS = ['instance', 'snapshot', 'snapshot-policy', 'price', 'recycle-item', 'other'] as const;
export const AUDIT_MODES = ['dry-run', 'enforce'] as const;
export const AUDIT_OUTCOMES = ['planned', 'success', 'failed', 'skipped', 'refused', 'reconciled'] as const;

export type AuditPhase = (typeof AUDIT_PHASES)[number];
export type AuditTrigger = (typeof AUDIT_TRIGGERS)[number];
export type AuditFunction = (typeof AUDIT_FUNCTIONS)[number];
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
export type AuditMode = (typeof AUDIT_MODES)[number];
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

const id = z.string().min(1, 'must be a non-empty string');
/** UTC only ('Z'), so stored times compare as strings once normalised. */
const utcIso = z.iso.datetime({ error: 'must be a UTC ISO-8601 time ending in Z, e.g. 2026-01-01T00:00:00.000Z' });
const jsonObject = z.record(z.string(), z.json());

export const auditRecordSchema = z.strictObject({
  schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
  phase: z.enum(AUDIT_PHASES),
  actionKey: id,
  runId: id,
  trigger: z.enum(AUDIT_TRIGGERS),
  function: z.enum(AUDIT_FUNCTIONS),
  policy: id,
  vendor: z.enum(VENDORS),
  target: id,
  region: id,
  resourceId: id,
  resourceKind: z.enum(RESOURCE_KINDS),
  action: id,
  mode: z.enum(AUDIT_MODES),
  reason: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  before: jsonObject.optional(),
  after: jsonObject.optional(),
  expected: jsonObject.optional(),
  requestIds: z.array(z.string()),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  undoHint: z.string().optional(),
  at: utcIso,
  startedAt: utcIso.optional(),
  finishedAt: utcIso.optional(),
  details: jsonObject.optional(),
  /**
   * On intents: the lease (design §5). `owner` is the run holding it, `until` when it lapses (the
   * holder's invocation deadline), `attempt` numbers takeovers of an expired lease: each attempt is
   * a new conditional write, never an update, so two runs can never both hold one.
   */
  lease: z
    .strictObject({ owner: id, until: utcIso, attempt: z.number().int().min(1, 'must be 1 or more') })
    .optional(),
});

export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** A record failed validation; the message names every bad field (never its value, which may be secret). */
export class AuditRecordError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid audit record: ${issues.join('; ')}`);
    this.name = 'AuditRecordError';
  }
}

/** Validates a record and normalises its times to `toISOString()` form (so string order is time order). */
export function parseAuditRecord(input: unknown): AuditRecord {
  const parsed = auditRecordSchema.safeParse(input);
  if (!parsed.success) {
    throw new AuditRecordError(parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`));
  }
  const r = parsed.data;
  const issues: string[] = [];
  if (r.phase === 'result' && r.outcome === undefined) issues.push('outcome: a result record needs an outcome');
  if (r.phase === 'planned' && r.outcome !== undefined && r.outcome !== 'planned') {
    issues.push(`outcome: a planned record has outcome "planned" or none, got "${r.outcome}"`);
  }
  if (r.lease !== undefined && r.phase !== 'intent') issues.push(`lease: only intent records carry a lease, got phase "${r.phase}"`);
  if (issues.length > 0) throw new AuditRecordError(issues);
  return {
    ...r,
    at: normaliseTime(r.at),
    ...(r.startedAt !== undefined && { startedAt: normaliseTime(r.startedAt) }),
    ...(r.finishedAt !== undefined && { finishedAt: normaliseTime(r.finishedAt) }),
    ...(r.lease !== undefined && { lease: { ...r.lease, until: normaliseTime(r.lease.until) } }),
  };
}

export function normaliseTime(iso: string): string {
  return new Date(iso).toISOString();
}

export interface ActionKeyParts {
  function: AuditFunction;
  policy: string;
  target: string;
  region: string;
  resourceId: string;
  action: string;
  /** The schedule slot or due time the action belongs to, e.g. '2026-01-01T02:00Z' or 'stage-7d'. */
  slot: string;
}

/**
 * The idempotency key of one action (design §5): same parts → same key, so a retried run finds
 * the earlier intent. '|' separates parts; a '|' or '%' inside a part is percent-escaped so two
 * different part lists can never produce the same key.
 */
export function makeActionKey(parts: ActionKeyParts): string {
  const ordered = [parts.function, parts.policy, parts.target, parts.region, parts.resourceId, parts.action, parts.slot];
  ordered.forEach((p, i) => {
    if (typeof p !== 'string' || p.length === 0) {
      const names = ['function', 'policy', 'target', 'region', 'resourceId', 'action', 'slot'];
      throw new Error(`makeActionKey: ${names[i]} must be a non-empty string`);
    }
  });
  return ordered.map((p) => p.replace(/%/g, '%25').replace(/\|/g, '%7C')).join('|');
}

/** Which takeover of an action key an intent is (1 = the first run to claim it). */
export function attemptOf(intent: AuditRecord): number {
  return intent.lease?.attempt ?? 1;
}
