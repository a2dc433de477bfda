import { randomUUID } from 'node:crypto';
import type * as DynamoSdk from '@aws-sdk/client-dynamodb';
import type { AttributeValue, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseAuditRecord, type AuditRecord } from './record';
import {
  AuditConflictError,
  matchesQuery,
  normaliseQuery,
  orderAndLimit,
  prepareRecord,
  storedKey,
  type AuditQuery,
  type AuditStore,
} from './store';

/** The SDK's commands, loaded on first use (cold start: see lib/audit/open.ts). */
let sdk: Promise<typeof DynamoSdk> | undefined;
const commands = () => (sdk ??= import('@aws-sdk/client-dynamodb'));

export const AUDIT_INDEXES = { byResource: 'byResource', byRun: 'byRun', byDay: 'byDay' } as const;

/**
 * The audit table (shape of CreateTable / CloudFormation AWS::DynamoDB::Table, minus TableName).
 * - pk = actionKey; sk = 'intent' | 'result' (one each per key, written with
 *   attribute_not_exists(pk): this is the idempotency ledger), or
 *   '<phase>#<at>#<uuid>' for planned/notice records, which therefore never conflict.
 * - GSIs, all sorted by `at` (UTC ISO, normalised so string order is time order), projection ALL:
 *   byResource (resourceId), byRun (runId), byDay (day = 'YYYY-MM-DD' of `at`, for time ranges).
 * - Attribute `record` holds the whole redacted record as JSON; the rest are copies for keys.
 * The functions need only dynamodb:PutItem, GetItem, Query (and Scan for unindexed queries).
 */
export const auditTableDefinition: Omit<CreateTableCommandInput, 'TableName'> = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'resourceId', AttributeType: 'S' },
    { AttributeName: 'runId', AttributeType: 'S' },
    { AttributeName: 'day', AttributeType: 'S' },
    { AttributeName: 'at', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: (['resourceId', 'runId', 'day'] as const).map((hash) => ({
    IndexName: { resourceId: AUDIT_INDEXES.byResource, runId: AUDIT_INDEXES.byRun, day: AUDIT_INDEXES.byDay }[hash],
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' as const },
      { AttributeName: 'at', KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })),
};

/** A time-range query spanning more days than this scans instead of querying day by day. */
const MAX_DAY_QUERIES = 62;
const DAY_MS = 86_400_000;

export interface DynamoAuditStoreOptions {
  tableName: string;
  client: DynamoDBClient;
}

/** The deployed store: conditional PutItem for intents/results; put and read only. */
export class DynamoAuditStore implements AuditStore {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;

  constructor(options: DynamoAuditStoreOptions) {
    if (!options.tableName) throw new Error('DynamoAuditStore: tableName is required (the audit table name)');
    this.tableName = options.tableName;
    this.client = options.client;
  }

  async putIntent(record: AuditRecord): Promise<'written' | 'exists'> {
    const clean = prepareRecord(record, 'putIntent');
    return (await this.putOnce(clean, 'intent')) ? 'written' : 'exists';
  }

  async putResult(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putResult');
    if (!(await this.putOnce(clean, 'result'))) throw new AuditConflictError(clean.actionKey);
  }

  async putRecord(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putRecord');
    await this.putOnce(clean, `${clean.phase}#${clean.at}#${randomUUID()}`);
  }

  async get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }> {
    const pk = storedKey(actionKey);
    const { GetItemCommand } = await commands();
    const [intent, result] = await Promise.all(
      (['intent', 'result'] as const).map(async (sk) => {
        const out = await this.client.send(
          new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
        );
        return out.Item ? fromItem(out.Item) : undefined;
      }),
    );
    return { ...(intent && { intent }), ...(result && { result }) };
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const nq = normaliseQuery(q);
    const keep = (r: AuditRecord) => matchesQuery(r, nq);
    if (nq.resourceId !== undefined) return this.queryIndex(AUDIT_INDEXES.byResource, 'resourceId', [nq.resourceId], nq, keep);
    if (nq.runId !== undefined) return this.queryIndex(AUDIT_INDEXES.byRun, 'runId', [nq.runId], nq, keep);
    const days = nq.since !== undefined ? daysBetween(nq.since, nq.until) : undefined;
    if (days && days.length <= MAX_DAY_QUERIES) return this.queryIndex(AUDIT_INDEXES.byDay, 'day', days, nq, keep);
    return this.scan(nq, keep);
  }

  /** Writes the item unless (pk, sk) exists; false when it did. */
  private async putOnce(record: AuditRecord, sk: string): Promise<boolean> {
    const { PutItemCommand } = await commands();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record, sk),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** Queries one index partition after another (each sorted by `at`), stopping at the limit. */
  private async queryIndex(
    indexName: string,
    hashName: string,
    hashValues: string[],
    q: AuditQuery,
    keep: (r: AuditRecord) => boolean,
  ): Promise<AuditRecord[]> {
    const found: AuditRecord[] = [];
    const range = timeCondition(q);
    const { QueryCommand } = await commands();
    for (const hash of hashValues) {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: indexName,
            KeyConditionExpression: `#h = :h${range.expression}`,
            ExpressionAttributeNames: { '#h': hashName, ...range.names },
            ExpressionAttributeValues: { ':h': { S: hash }, ...range.values },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          const r = fromItem(item);
          if (keep(r)) found.push(r);
        }
        if (q.limit !== undefined && found.length >= q.limit) return orderAndLimit(found, q.limit);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    return orderAndLimit(found, q.limit);
  }

  /** The fallback for queries no index serves. */
  private async scan(q: AuditQuery, keep: (r: AuditRecord) => boolean): Promise<AuditRecord[]> {
    const found: AuditRecord[] = [];
    const { ScanCommand } = await commands();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }));
      for (const item of out.Items ?? []) {
        if (!item.record) continue; // not an audit record: the ingest's replay items (lib/ingest/replay.ts)
        const r = fromItem(item);
        if (keep(r)) found.push(r);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return orderAndLimit(found, q.limit);
  }
}

function toItem(r: AuditRecord, sk: string): Record<string, AttributeValue> {
  return {
    pk: { S: r.actionKey },
    sk: { S: sk },
    record: { S: JSON.stringify(r) },
    schemaVersion: { N: String(r.schemaVersion) },
    phase: { S: r.phase },
    resourceId: { S: r.resourceId },
    runId: { S: r.runId },
    at: { S: r.at },
    day: { S: r.at.slice(0, 10) },
    function: { S: r.function },
    action: { S: r.action },
    ...(r.outcome !== undefined && { outcome: { S: r.outcome } }),
  };
}

function fromItem(item: Record<string, AttributeValue>): AuditRecord {
  const json = item.record?.S;
  if (json === undefined) throw new Error(`audit table item ${item.pk?.S}/${item.sk?.S} has no record attribute`);
  return parseAuditRecord(JSON.parse(json));
}

/** `at` is a reserved word, hence the #at name. `until` is exclusive and is re-checked by matchesQuery. */
function timeCondition(q: AuditQuery): { expression: string; names: Record<string, string>; values: Record<string, AttributeValue> } {
  const names = { '#at': 'at' };
  if (q.since !== undefined && q.until !== undefined) {
    return { expression: ' AND #at BETWEEN :s AND :u', names, values: { ':s': { S: q.since }, ':u': { S: q.until } } };
  }
  if (q.since !== undefined) return { expression: ' AND #at >= :s', names, values: { ':s': { S: q.since } } };
  if (q.until !== undefined) return { expression: ' AND #at < :u', names, values: { ':u': { S: q.until } } };
  return { expression: '', names: {}, values: {} };
}

/** The UTC days touched by [since, until); an open end runs to a day past now. */
function daysBetween(since: string, until: string | undefined): string[] {
  const start = Date.parse(since.slice(0, 10));
  const end = until !== undefined ? Date.parse(until) : Math.max(Date.now(), Date.parse(since)) + DAY_MS;
  const days: string[] = [];
  for (let t = start; t < end && days.length <= MAX_DAY_QUERIES; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
