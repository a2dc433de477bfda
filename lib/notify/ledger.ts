import type { AuditRecord } from '../audit/record';
import { AuditConflictError, type AuditStore } from '../audit/store';
import type { Notice } from './notice';

/**
 * Once-only delivery over the audit trail. The AuditStore API (putIntent / putResult / get) is
 * used through this adapter only, so a store with leases can replace `claim` in one place.
 *
 * Key of attempt n of a notice on a channel: `<notice action key>|notify:<channel>|#<n>`. An
 * intent is the claim, a result closes it; a failed attempt leaves the next number free, a
 * success ends the sequence. An intent with no result younger than `inflightMs` is another
 * invocation sending right now (`busy`); an older one died mid-send and is closed as abandoned.
 */
export type Claim =
  | { state: 'claimed'; attempt: number; key: string }
  | { state: 'done'; runId: string }
  | { state: 'busy' }
  | { state: 'exhausted'; attempts: number };

export interface DeliveryLedger {
  claim(notice: Notice, channel: string): Promise<Claim>;
  complete(notice: Notice, channel: string, claim: Extract<Claim, { state: 'claimed' }>, outcome: { ok: true; details?: Record<string, string | number> } | { ok: false; code: string; message: string }): Promise<void>;
}

export interface AuditLedgerOptions {
  store: AuditStore;
  /** This delivery run. */
  runId: string;
  /** Wall time as UTC ms (records' `at`); tests inject one. */
  now: () => number;
  maxAttempts?: number;
  inflightMs?: number;
}

export function deliveryKey(notice: Notice, channel: string, attempt: number): string {
  return `${notice.key}|notify:${channel}|#${attempt}`;
}

export class AuditLedger implements DeliveryLedger {
  private readonly maxAttempts: number;
  private readonly inflightMs: number;

  constructor(private readonly o: AuditLedgerOptions) {
    this.maxAttempts = o.maxAttempts ?? 5;
    this.inflightMs = o.inflightMs ?? 15 * 60_000;
  }

  async claim(notice: Notice, channel: string): Promise<Claim> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const key = deliveryKey(notice, channel, attempt);
      if ((await this.o.store.putIntent(this.record(notice, channel, key, 'intent', attempt, {}))) === 'written') return { state: 'claimed', attempt, key };
      const earlier = await this.o.store.get(key);
      if (earlier.result?.outcome === 'success') return { state: 'done', runId: earlier.result.runId };
      if (earlier.result) continue;
      const started = earlier.intent ? Date.parse(earlier.intent.at) : 0;
      if (this.o.now() - started < this.inflightMs) return { state: 'busy' };
      try {
        await this.o.store.putResult(this.record(notice, channel, key, 'result', attempt, { outcome: 'failed', error: { code: 'Abandoned', message: 'the invocation that claimed this attempt never finished it' } }));
      } catch (e) {
        if (!(e instanceof AuditConflictError)) throw e;
        const now = await this.o.store.get(key);
        if (now.result?.outcome === 'success') return { state: 'done', runId: now.result.runId };
      }
    }
    return { state: 'exhausted', attempts: this.maxAttempts };
  }

  async complete(notice: Notice, channel: string, claim: Extract<Claim, { state: 'claimed' }>, outcome: { ok: true; details?: Record<string, string | number> } | { ok: false; code: string; message: string }) {
    await this.o.store.putResult(
      this.record(notice, channel, claim.key, 'result', claim.attempt, outcome.ok ? { outcome: 'success', details: outcome.details } : { outcome: 'failed', error: { code: outcome.code, message: outcome.message } }),
    );
  }

  private record(n: Notice, channel: string, key: string, phase: 'intent' | 'result', attempt: number, extra: Partial<AuditRecord> & { details?: Record<string, string | number> }): AuditRecord {
    const { details, ...rest } = extra;
    return {
      schemaVersion: 1,
      phase,
      actionKey: key,
      runId: this.o.runId,
      trigger: 'event',
      function: n.function,
      policy: n.policy,
      vendor: n.vendor,
      target: n.target,
      region: n.region,
      resourceId: n.resourceId,
      resourceKind: n.resourceKind,
      action: `notify:${channel}`,
      mode: 'enforce',
      reason: `deliver "${n.type}" to channel ${channel} (attempt ${attempt})`,
      requestIds: [],
      at: new Date(this.o.now()).toISOString(),
      ...rest,
      details: { noticeKey: n.key, noticeRunId: n.runId, detailType: n.type, channel, attempt, ...(details ?? {}) },
    };
  }
}
