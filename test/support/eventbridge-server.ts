import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** One entry as it arrived over the wire (EventBridge JSON protocol, awsJson1_1). */
export interface ReceivedEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  /** awsJson1_1 sends timestamps as epoch seconds. */
  Time?: number;
}

export interface PutEventsCall {
  entries: ReceivedEntry[];
  /** Raw request body and headers, for assertions that nothing secret was sent. */
  body: string;
  headers: IncomingMessage['headers'];
}

export interface FailRule {
  /** Fails an entry when this returns true. */
  match: (entry: ReceivedEntry) => boolean;
  /** How many times each matching entry fails before it is accepted (default 1). */
  times?: number;
  errorCode?: string;
  errorMessage?: string;
}

export interface EventBridgeServer {
  endpoint: string;
  calls: PutEventsCall[];
  /** Entries accepted (given an EventId), in arrival order. */
  delivered: ReceivedEntry[];
  failOn(rule: FailRule): void;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for EventBridge PutEvents speaking its JSON protocol: POST /, header
 * X-Amz-Target: AWSEvents.PutEvents, content-type application/x-amz-json-1.1. Entries that match
 * a fail rule are answered with ErrorCode/ErrorMessage (and counted in FailedEntryCount).
 */
export async function startEventBridgeServer(): Promise<EventBridgeServer> {
  const calls: PutEventsCall[] = [];
  const delivered: ReceivedEntry[] = [];
  const rules: Array<Required<Omit<FailRule, 'times'>> & { times: number; seen: Map<string, number> }> = [];
  let nextId = 1;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });

  function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return reply(res, 400, { __type: 'UnknownOperationException', message: `unsupported target ${String(target)}` });
    }
    if (!String(req.headers['content-type']).startsWith('application/x-amz-json-1.1')) {
      return reply(res, 400, { __type: 'SerializationException', message: 'expected application/x-amz-json-1.1' });
    }
    const entries = (JSON.parse(body) as { Entries?: ReceivedEntry[] }).Entries ?? [];
    if (entries.length === 0 || entries.length > 10) {
      return reply(res, 400, { __type: 'ValidationException', message: `Entries must hold 1 to 10 items, got ${entries.length}` });
    }
    calls.push({ entries, body, headers: req.headers });
    let failedCount = 0;
    const results = entries.map((entry) => {
      const rule = rules.find((r) => r.match(entry));
      if (rule) {
        const key = `${entry.DetailType}|${entry.Detail}`;
        const failures = rule.seen.get(key) ?? 0;
        if (failures < rule.times) {
          rule.seen.set(key, failures + 1);
          failedCount++;
          return { ErrorCode: rule.errorCode, ErrorMessage: rule.errorMessage };
        }
      }
      delivered.push(entry);
      return { EventId: `evt-${nextId++}` };
    });
    reply(res, 200, { FailedEntryCount: failedCount, Entries: results });
  }

  function reply(res: ServerResponse, status: number, payload: unknown): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${nextId}` });
    res.end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    delivered,
    failOn(rule) {
      rules.push({
        match: rule.match,
        times: rule.times ?? 1,
        errorCode: rule.errorCode ?? 'InternalFailure',
        errorMessage: rule.errorMessage ?? 'simulated failure',
        seen: new Map(),
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A real SDK client pointed at the loopback server (fake credentials, no SDK-level retries). */
export function eventBridgeClientFor(server: Pick<EventBridgeServer, 'endpoint'>): EventBridgeClient {
  return new EventBridgeClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test-key-id', secretAccessKey: 'test-secret-key' },
    maxAttempts: 1,
  });
}
