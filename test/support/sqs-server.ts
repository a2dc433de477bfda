import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** A message as the queue holds it. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber: number;
  sentAt: number;
  receiveCount: number;
  inFlight: boolean;
}

export interface SqsCall {
  target: string;
  body: Record<string, unknown>;
}

export interface SqsServer {
  endpoint: string;
  /** URL of the work queue (FIFO when started with fifo: true). */
  queueUrl: string;
  dlqUrl: string;
  calls: SqsCall[];
  /** Messages waiting or in flight, in order. */
  messages(): QueuedMessage[];
  /** Messages moved to the dead-letter queue after maxReceiveCount failed receives. */
  deadLetters(): QueuedMessage[];
  /** Fails the next `times` SendMessageBatch entries matching `match` with a sender fault. */
  failEntries(match: (body: string) => boolean, times?: number): void;
  /**
   * Emulates the Lambda SQS event source mapping (batchSize 1, ReportBatchItemFailures): up to
   * `maximumConcurrency` concurrent handler invocations, one message each; FIFO queues give out at
   * most one message per message group at a time. A message reported in `batchItemFailures` (or a
   * thrown invocation) becomes visible again; after `maxReceiveCount` receives it moves to the DLQ.
   * Resolves when the queue is empty and nothing is in flight.
   */
  drain(handler: SqsHandler, options: DrainOptions): Promise<DrainStats>;
  close(): Promise<void>;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface DrainOptions {
  maximumConcurrency: number;
  maxReceiveCount?: number;
  /** The Lambda context of the n-th invocation (0-based); default: plenty of time left. */
  context?: (invocation: number, record: SQSRecord) => Context;
}

export interface DrainStats {
  invocations: number;
  /** Most invocations running at the same time. */
  peakConcurrency: number;
  /** Most invocations running at the same time on one message group. */
  peakPerGroup: number;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/**
 * A loopback stand-in for SQS speaking its JSON protocol (AWS JSON 1.0: POST /, header
 * `X-Amz-Target: AmazonSQS.<Operation>`, content-type application/x-amz-json-1.0), enough for the
 * real `@aws-sdk/client-sqs` SendMessage / SendMessageBatch / ReceiveMessage / DeleteMessage /
 * GetQueueAttributes, including the MD5 of the body the client verifies. FIFO queues (name ending
 * `.fifo`) need MessageGroupId and drop duplicates by MessageDeduplicationId.
 */
export async function startSqsServer(options: { fifo?: boolean; name?: string } = {}): Promise<SqsServer> {
  const name = options.name ?? (options.fifo ? 'fanout.fifo' : 'fanout');
  const fifo = name.endsWith('.fifo');
  const queue: QueuedMessage[] = [];
  const dead: QueuedMessage[] = [];
  const seenDedup = new Map<string, string>();
  const calls: SqsCall[] = [];
  const failRules: { match: (body: string) => boolean; left: number }[] = [];
  let sequence = 0;
  let changed: () => void = () => {};
  let changedPromise = new Promise<void>((r) => (changed = r));
  const notify = () => {
    const resolve = changed;
    changedPromise = new Promise<void>((r) => (changed = r));
    resolve();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const queueUrl = `${endpoint}/${ACCOUNT}/${name}`;
  const dlqUrl = `${endpoint}/${ACCOUNT}/${name.replace(/(\.fifo)?$/, '-dlq$1')}`;

  function reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }
  function fault(res: ServerResponse, status: number, type: string, message: string): void {
    res.setHeader('x-amzn-query-error', `${type};Sender`);
    reply(res, status, { __type: `com.amazonaws.sqs#${type}`, message });
  }

  function enqueue(body: string, groupId?: string, dedupId?: string): { messageId: string } | { error: string } {
    if (fifo && !groupId) return { error: 'MessageGroupId is required for FIFO queues' };
    if (fifo && !dedupId) return { error: 'MessageDeduplicationId is required (the queue has no content-based deduplication)' };
    if (!fifo && groupId) return { error: 'MessageGroupId is only for FIFO queues' };
    const earlier = dedupId ? seenDedup.get(dedupId) : undefined;
    if (earlier) return { messageId: earlier };
    const messageId = randomUUID();
    if (dedupId) seenDedup.set(dedupId, messageId);
    queue.push({ messageId, body, groupId, deduplicationId: dedupId, sequenceNumber: ++sequence, sentAt: Date.now(), receiveCount: 0, inFlight: false });
    notify();
    return { messageId };
  }

  function handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith('AmazonSQS.')) return fault(res, 400, 'InvalidAction', `expected POST with X-Amz-Target AmazonSQS.<Operation>, got ${target}`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) return fault(res, 400, 'InvalidParameterValue', 'expected content-type application/x-amz-json-1.0');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fault(res, 400, 'InvalidParameterValue', 'the body is not JSON');
    }
    const op = target.slice('AmazonSQS.'.length);
    calls.push({ target: op, body });
    if (body.QueueUrl !== queueUrl) return fault(res, 400, 'QueueDoesNotExist', `no queue ${String(body.QueueUrl)}`);
    switch (op) {
      case 'SendMessage': {
        const r = enqueue(String(body.MessageBody), body.MessageGroupId as string | undefined, body.MessageDeduplicationId as string | undefined);
        if ('error' in r) return fault(res, 400, 'MissingParameter', r.error);
        return reply(res, 200, { MessageId: r.messageId, MD5OfMessageBody: md5(String(body.MessageBody)), ...(fifo ? { SequenceNumber: String(sequence) } : {}) });
      }
      case 'SendMessageBatch': {
        const entries = (body.Entries ?? []) as { Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string }[];
        if (entries.length === 0) return fault(res, 400, 'EmptyBatchRequest', 'no entries');
        if (entries.length > 10) return fault(res, 400, 'TooManyEntriesInBatchRequest', `${entries.length} entries; at most 10`);
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const e of entries) {
          const rule = failRules.find((f) => f.left > 0 && f.match(e.MessageBody));
          if (rule) {
            rule.left--;
            Failed.push({ Id: e.Id, SenderFault: false, Code: 'InternalError', Message: 'injected failure' });
            continue;
          }
          const r = enqueue(e.MessageBody, e.MessageGroupId, e.MessageDeduplicationId);
          if ('error' in r) Failed.push({ Id: e.Id, SenderFault: true, Code: 'MissingParameter', Message: r.error });
          else Successful.push({ Id: e.Id, MessageId: r.messageId, MD5OfMessageBody: md5(e.MessageBody) });
        }
        return reply(res, 200, { Successful, Failed });
      }
      case 'ReceiveMessage': {
        const max = Number(body.MaxNumberOfMessages ?? 1);
        const got = [];
        while (got.length < max) {
          const m = nextAvailable();
          if (!m) break;
          m.inFlight = true;
          m.receiveCount++;
          got.push({ MessageId: m.messageId, ReceiptHandle: m.messageId, Body: m.body, MD5OfBody: md5(m.body) });
        }
        return reply(res, 200, { Messages: got });
      }
      case 'DeleteMessage': {
        const i = queue.findIndex((m) => m.messageId === body.ReceiptHandle);
        if (i >= 0) queue.splice(i, 1);
        notify();
        return reply(res, 200, {});
      }
      case 'GetQueueAttributes':
        return reply(res, 200, {
          Attributes: {
            ApproximateNumberOfMessages: String(queue.filter((m) => !m.inFlight).length),
            ApproximateNumberOfMessagesNotVisible: String(queue.filter((m) => m.inFlight).length),
            FifoQueue: String(fifo),
          },
        });
      default:
        return fault(res, 400, 'InvalidAction', `operation ${op} is not simulated`);
    }
  }

  /** The first visible message; in a FIFO queue only the head of a group with nothing in flight. */
  function nextAvailable(): QueuedMessage | undefined {
    const busy = new Set<string>();
    for (const m of queue) {
      if (m.inFlight) {
        if (m.groupId) busy.add(m.groupId);
        continue;
      }
      if (m.groupId && busy.has(m.groupId)) continue;
      return m;
    }
    return undefined;
  }

  function toRecord(m: QueuedMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: m.messageId,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        ...(m.groupId ? { MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId, SequenceNumber: String(m.sequenceNumber) } : {}),
      },
      messageAttributes: {},
      md5OfBody: md5(m.body),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      awsRegion: REGION,
    };
  }

  async function drain(handler: SqsHandler, opts: DrainOptions): Promise<DrainStats> {
    const stats: DrainStats = { invocations: 0, peakConcurrency: 0, peakPerGroup: 0 };
    const maxReceive = opts.maxReceiveCount ?? 3;
    let running = 0;
    const perGroup = new Map<string, number>();
    const invoke = async (m: QueuedMessage) => {
      const n = stats.invocations++;
      running++;
      stats.peakConcurrency = Math.max(stats.peakConcurrency, running);
      const g = m.groupId ?? '';
      perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
      if (m.groupId) stats.peakPerGroup = Math.max(stats.peakPerGroup, perGroup.get(g)!);
      const record = toRecord(m);
      const context = opts.context?.(n, record) ?? lambdaContext(() => 900_000);
      let failed: boolean;
      try {
        const response = await handler({ Records: [record] }, context);
        failed = !!response?.batchItemFailures?.some((f) => f.itemIdentifier === m.messageId);
      } catch {
        failed = true;
      }
      running--;
      perGroup.set(g, perGroup.get(g)! - 1);
      const i = queue.indexOf(m);
      if (!failed) {
        if (i >= 0) queue.splice(i, 1);
      } else if (m.receiveCount >= maxReceive) {
        if (i >= 0) dead.push(...queue.splice(i, 1));
      } else {
        m.inFlight = false;
      }
      notify();
    };
    const pollers = Array.from({ length: opts.maximumConcurrency }, async () => {
      for (;;) {
        const m = nextAvailable();
        if (m) {
          m.inFlight = true;
          m.receiveCount++;
          await invoke(m);
          continue;
        }
        if (queue.length === 0) return;
        await changedPromise; // something is in flight: wait for it to finish or send more
      }
    });
    await Promise.all(pollers);
    return stats;
  }

  return {
    endpoint,
    queueUrl,
    dlqUrl,
    calls,
    messages: () => [...queue],
    deadLetters: () => [...dead],
    failEntries: (match, times = 1) => void failRules.push({ match, left: times }),
    drain,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** A Lambda context whose remaining time comes from `remaining` (called on each read). */
export function lambdaContext(remaining: () => number, name = 'fanout-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remaining,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
