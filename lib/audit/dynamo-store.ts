import { randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { attemptOf, parseAuditRecord, type AuditRecord } from './record';
import {
  AuditConflictError,
  latestIntent,
  ledgerScopeId,
  matchesQuery,
  openFrom,
  normaliseQuery,
  orderAndLimit,
  prepareRecord,
  storedKey,
  type AuditQuery,
  type AuditStore,
  type LedgerScope,
} from './store';

export const AUDIT_INDEXES = { byResource: 'byResource', byRun: 'byRun', byDay: 'byDay', byLedger: 'byLedger', byScope: 'byScope' } as const;

/** The TTL attribute (epoch seconds), set when an audit retention is configured. */
export const AUDIT_TTL_ATTRIBUTE = 'expiresAt';

/**
 * The audit table (shape of CreateTable / CloudFormation AWS::DynamoDB::Table, minus TableName).
 * - pk = actionKey; sk = 'intent' | 'result' (one each per key, written with
 *   attribute_not_exists(pk): this is the idempotency ledger), or
 *   '<phase>#<at>#<uuid>' for planned/notice records, which therefore never conflict.
 * - GSIs, all sorted by `at` (UTC ISO, normalised so string order is time order), projection ALL:
 *   byResource (resourceId), byRun (runId), byDay (day = 'YYYY-MM-DD' of `at`, for time ranges).
 * - Attribute `record` holds the whole redacted record as JSON; the rest are copies for keys.
 * The functions need only dynamodb:PutItem, GetItem and Query; only the CLI may Scan (allowScan).
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
    { AttributeName: 'ledger', AttributeType: 'S' },
    { AttributeName: 'scope', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  // byLedger is sparse: only intents and results carry `ledger` (function|policy|target|region), so
  // a scope's open intents are one Query bounded by scope and time. byScope (function|target|region)
  // holds every record: what a run reads of its own scope (timers it set, bin history, state).
  GlobalSecondaryIndexes: (
    [
      [AUDIT_INDEXES.byResource, 'resourceId'],
      [AUDIT_INDEXES.byRun, 'runId'],
      [AUDIT_INDEXES.byDay, 'day'],
      [AUDIT_INDEXES.byLedger, 'ledger'],
      [AUDIT_INDEXES.byScope, 'scope'],
    ] as const
  ).map(([IndexName, hash]) => ({
    IndexName,
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
  /** Records expire this many days after `at` (the table's TTL attribute); absent: kept forever. */
  retentionDays?: number;
  /**
   * Let queries no index serves scan the table (the CLI). The functions never scan: such a query
   * is an error naming what to add.
   */
  allowScan?: boolean;
  /** The wall clock the TTL is judged by (tests set it). */
  now?: () => number;
}

/** The deployed store: conditional PutItem for intents/results; put and read only. */
export class DynamoAuditStore implements AuditStore {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly retentionDays?: number;
  private readonly allowScan: boolean;
  private readonly now: () => number;
  /** Called with the items each read returned (the bench counts items read per run). */
  onRead?: (items: number) => void;

  constructor(options: DynamoAuditStoreOptions) {
    if (!options.tableName) throw new Error('DynamoAuditStore: tableName is required (the audit table name)');
    if (options.retentionDays !== undefined && !(Number.isInteger(options.retentionDays) && options.retentionDays > 0)) {
      throw new Error(`DynamoAuditStore: retentionDays must be a whole number of days above 0, got ${options.retentionDays}`);
    }
    this.tableName = options.tableName;
    this.client = options.client;
    this.retentionDays = options.retentionDays;
    this.allowScan = options.allowScan ?? false;
    this.now = options.now ?? Date.now;
  }

  /**
   * The records of the items not past their TTL. DynamoDB deletes an expired item only some time
   * (often days) later and returns it until then; to a reader it is gone from the moment it expires.
   */
  private live(items: Record<string, AttributeValue>[] | undefined): AuditRecord[] {
    const nowSeconds = Math.floor(this.now() / 1000);
    const out: AuditRecord[] = [];
    for (const item of items ?? []) {
      if (!item.record) continue; // not an audit record: the ingest's replay items (lib/ingest/replay.ts)
      const expiresAt = item[AUDIT_TTL_ATTRIBUTE]?.N;
      if (expiresAt !== undefined && Number(expiresAt) < nowSeconds) continue;
      out.push(fromItem(item));
    }
    return out;
  }

  async putIntent(record: AuditRecord): Promise<'written' | 'exists'> {
    const clean = prepareRecord(record, 'putIntent');
    return (await this.putOnce(clean, intentSk(attemptOf(clean)))) ? 'written' : 'exists';
  }

  async putResult(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putResult');
    if (!(await this.putOnce(clean, 'result'))) throw new AuditConflictError(clean.actionKey);
  }

  async putRecord(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putRecord');
    await this.putOnce(clean, `${clean.phase}#${clean.at}#${randomUUID()}`);
  }

  /** One Query for the key's intents (every lease attempt) and one GetItem for its result. */
  async get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }> {
    const pk = storedKey(actionKey);
    const [intents, result] = await Promise.all([
      this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :k AND begins_with(sk, :i)',
        ExpressionAttributeValues: { ':k': { S: pk }, ':i': { S: 'intent' } },
        ConsistentRead: true,
      }),
      this.client
        .send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk }, sk: { S: 'result' } }, ConsistentRead: true }))
        .then((out) => {
          this.onRead?.(out.Item ? 1 : 0);
          return this.live(out.Item && [out.Item])[0];
        }),
    ]);
    const intent = latestIntent(intents);
    return { ...(intent && { intent }), ...(result && { result }) };
  }

  /** One Query of the sparse byLedger index: the scope's intents and results since `since`. */
  async openIntents(scope: LedgerScope, since: string): Promise<AuditRecord[]> {
    const records = await this.queryAll({
      TableName: this.tableName,
      IndexName: AUDIT_INDEXES.byLedger,
      KeyConditionExpression: '#l = :l AND #at >= :s',
      ExpressionAttributeNames: { '#l': 'ledger', '#at': 'at' },
      ExpressionAttributeValues: { ':l': { S: ledgerScopeId(scope) }, ':s': { S: new Date(since).toISOString() } },
    });
    return openFrom(records);
  }

  private async queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<AuditRecord[]> {
    const found: AuditRecord[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      this.onRead?.(out.Items?.length ?? 0);
      found.push(...this.live(out.Items));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const nq = normaliseQuery(q);
    const keep = (r: AuditRecord) => matchesQuery(r, nq);
    if (nq.resourceId !== undefined) return this.queryIndex(AUDIT_INDEXES.byResource, 'resourceId', [nq.resourceId], nq, keep);
    if (nq.runId !== undefined) return this.queryIndex(AUDIT_INDEXES.byRun, 'runId', [nq.runId], nq, keep);
    if (nq.function !== undefined && nq.target !== undefined && nq.region !== undefined) {
      return this.queryIndex(AUDIT_INDEXES.byScope, 'scope', [scopeKey({ function: nq.function, target: nq.target, region: nq.region })], nq, keep);
    }
    const days = nq.since !== undefined ? daysBetween(nq.since, nq.until) : undefined;
    if (days && days.length <= MAX_DAY_QUERIES) return this.queryIndex(AUDIT_INDEXES.byDay, 'day', nq.newestFirst ? days.reverse() : days, nq, keep);
    if (!this.allowScan) {
      throw new Error(
        'audit query: no index serves it and the functions never scan the table; name a resource, a run, function + target + region, or a time range of at most 62 days',
      );
    }
    return this.scan(nq, keep);
  }

  async *stream(q: AuditQuery): AsyncIterable<AuditRecord> {
    const nq = normaliseQuery({ ...q, limit: undefined, newestFirst: false });
    const days = nq.since !== undefined ? daysBetween(nq.since, nq.until) : undefined;
    const indexed = nq.resourceId !== undefined || nq.runId !== undefined || (nq.function !== undefined && nq.target !== undefined && nq.region !== undefined);
    if (indexed || (days && days.length <= MAX_DAY_QUERIES) || !this.allowScan) {
      yield* await this.query(nq); // bounded by an index (or refused, as query() is)
      return;
    }
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }));
      for (const r of this.live(out.Items)) if (matchesQuery(r, nq)) yield r;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  /** Writes the item unless (pk, sk) exists; false when it did. */
  private async putOnce(record: AuditRecord, sk: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record, sk, this.retentionDays),
          // an expired item not yet deleted is gone to readers, so its key is free again
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': AUDIT_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(this.now() / 1000)) } },
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
            ScanIndexForward: !q.newestFirst,
            ExclusiveStartKey: startKey,
          }),
        );
        this.onRead?.(out.Items?.length ?? 0);
        for (const r of this.live(out.Items)) if (keep(r)) found.push(r);
        if (q.limit !== undefined && found.length >= q.limit) return orderAndLimit(found, q.limit, q.newestFirst);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    return orderAndLimit(found, q.limit, q.newestFirst);
  }

  /** The fallback for queries no index serves. */
  private async scan(q: AuditQuery, keep: (r: AuditRecord) => boolean): Promise<AuditRecord[]> {
    const found: AuditRecord[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }));
      for (const r of this.live(out.Items)) if (keep(r)) found.push(r);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return orderAndLimit(found, q.limit, q.newestFirst);
  }
}

function scopeKey(r: { function: string; target: string; region: string }): string {
  return [r.function, r.target, r.region].map((p) => p.replace(/%/g, '%25').replace(/\|/g, '%7C')).join('|');
}

/** The item a record is stored as (exported for the bench, which loads history in batches). */
export function toAuditItem(r: AuditRecord, sk: string, retentionDays?: number): Record<string, AttributeValue> {
  return toItem(r, sk, retentionDays);
}

function toItem(r: AuditRecord, sk: string, retentionDays?: number): Record<string, AttributeValue> {
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
    scope: { S: scopeKey(r) },
    ...((r.phase === 'intent' || r.phase === 'result') && { ledger: { S: ledgerScopeId(r) } }),
    ...(retentionDays !== undefined && { [AUDIT_TTL_ATTRIBUTE]: { N: String(Math.floor(Date.parse(r.at) / 1000) + retentionDays * 86_400) } }),
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

/** Attempt 1 keeps the original sort key, so tables written before leases read the same. */
function intentSk(attempt: number): string {
  return attempt === 1 ? 'intent' : `intent#${String(attempt).padStart(4, '0')}`;
}
