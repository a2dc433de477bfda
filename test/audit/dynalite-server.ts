import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { auditTableDefinition } from '../../lib/audit/dynamo-store';

/** One request as the server saw it: its operation, the index it read, and the items it read. */
export interface ServedRequest {
  operation: string;
  /** IndexName of a Query or Scan; absent: the table itself. */
  index?: string;
  /** Items the server read to answer: ScannedCount of a Query or Scan, 1 or 0 for a GetItem, 0 for writes. */
  itemsRead: number;
}

/**
 * A real DynamoDB-compatible server (dynalite) on a loopback port, in memory — or in a LevelDB
 * folder at `path` (the bench's large tables, seeded once and reused).
 */
export async function startDynalite(options: { path?: string } = {}): Promise<{
  endpoint: string;
  client: DynamoDBClient;
  /** The operation of every request the server received (`Query`, `Scan`, ...), in order: counted at the server. */
  operations: string[];
  /** Every answered request with the index it read and the items it read, in order of answers. */
  served: ServedRequest[];
  createAuditTable(): Promise<string>;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0, ...(options.path && { path: options.path }) });
  const operations: string[] = [];
  const served: ServedRequest[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string') return;
    const operation = target.split('.').pop()!;
    operations.push(operation);
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      served.push(describe(operation, Buffer.concat(body).toString(), args[0]));
      return end(...args);
    }) as typeof res.end;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake-id', secretAccessKey: 'fake-secret' },
  });
  let tables = 0;
  return {
    endpoint,
    client,
    operations,
    served,
    async createAuditTable() {
      const name = `audit-${++tables}`;
      await client.send(new CreateTableCommand({ ...auditTableDefinition, TableName: name }));
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (
          Table?.TableStatus === 'ACTIVE' &&
          (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')
        )
          return name;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function describe(operation: string, request: string, response: unknown): ServedRequest {
  const json = (text: unknown): Record<string, unknown> => {
    try {
      return typeof text === 'string' || Buffer.isBuffer(text)
        ? (JSON.parse(text.toString()) as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  };
  const req = json(request);
  const res = json(response);
  const index = typeof req.IndexName === 'string' ? req.IndexName : undefined;
  const itemsRead =
    typeof res.ScannedCount === 'number' ? res.ScannedCount : operation === 'GetItem' && res.Item ? 1 : 0;
  return { operation, ...(index && { index }), itemsRead };
}
