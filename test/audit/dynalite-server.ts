import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { auditTableDefinition } from '../../lib/audit/dynamo-store';

/** A real DynamoDB-compatible server (dynalite, in memory) on a loopback port. */
export async function startDynalite(): Promise<{
  endpoint: string;
  client: DynamoDBClient;
  /** The operation of every request the server received (`Query`, `Scan`, ...), in order: counted at the server. */
  operations: string[];
  createAuditTable(): Promise<string>;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0 });
  const operations: string[] = [];
  server.on('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') operations.push(target.split('.').pop()!);
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
    async createAuditTable() {
      const name = `audit-${++tables}`;
      await client.send(new CreateTableCommand({ ...auditTableDefinition, TableName: name }));
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return name;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
