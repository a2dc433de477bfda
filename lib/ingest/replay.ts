import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Remembers each accepted signed request for as long as its timestamp is inside the window, so
 * the same request is accepted once (lib/ingest/DECISIONS.md "Replays"). The key is the request's
 * HMAC: equal only for the same timestamp and body.
 */
export interface ReplayGuard {
  /** Claims `key` until `expiresAt`; false when an unexpired claim exists (a replay). */
  claim(key: string, expiresAt: Date, now: Date): Promise<Claim | undefined>;
}

/** A held claim; `release()` after the request failed, so the sender's retry is accepted. */
export interface Claim {
  release(): Promise<void>;
}

/** One process only: `sls invoke local`, tests. Expired keys are dropped as new ones arrive. */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, { until: number; token: string }>();

  async claim(key: string, expiresAt: Date, now: Date): Promise<Claim | undefined> {
    for (const [k, v] of this.seen) if (v.until < now.getTime()) this.seen.delete(k);
    if (this.seen.has(key)) return undefined;
    const token = randomUUID();
    this.seen.set(key, { until: expiresAt.getTime(), token });
    return {
      release: async () => {
        if (this.seen.get(key)?.token === token) this.seen.delete(key);
      },
    };
  }
}

/** Partition keys of replay items in the audit table; the ingest role may write only these (resources/iam-roles.cjs). */
export const REPLAY_KEY_PREFIX = 'ingest-replay#';

/**
 * Deployed: one item per accepted request in the audit table (pk `ingest-replay#<hmac>`, sk
 * `seen`), written with a condition, so concurrent Lambda instances agree. It has no `record`
 * attribute and none of the index keys: the audit trail's queries never see it. `expiresAt` is
 * epoch seconds (DynamoDB TTL format); the condition treats an expired item as absent, so
 * correctness does not wait for TTL deletion. PutItem only: a release overwrites the item as expired.
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {}

  async claim(key: string, expiresAt: Date, now: Date): Promise<Claim | undefined> {
    const { PutItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    const pk = `${REPLAY_KEY_PREFIX}${key}`;
    const token = randomUUID();
    const put = (until: Date, condition: string, values: Record<string, { N: string } | { S: string }>) =>
      this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: { pk: { S: pk }, sk: { S: 'seen' }, expiresAt: { N: String(Math.ceil(until.getTime() / 1000)) }, claim: { S: token } },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
    try {
      await put(expiresAt, 'attribute_not_exists(pk) OR expiresAt < :now', { ':now': { N: String(Math.floor(now.getTime() / 1000)) } });
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
    return {
      release: async () => {
        try {
          await put(new Date(0), 'claim = :token', { ':token': { S: token } });
        } catch (e) {
          if (!(e instanceof ConditionalCheckFailedException)) throw e;
        }
      },
    };
  }
}
