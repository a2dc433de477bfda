import type { AuditStore } from './store';
import type { EventPublisher } from './events';

export type AuditStoreConfig =
  | { kind: 'file'; path?: string; retentionDays?: number }
  | { kind: 'dynamodb'; tableName: string; endpoint?: string; region?: string; retentionDays?: number; allowScan?: boolean };

export type EventPublisherConfig =
  | { kind: 'memory'; path?: string }
  | { kind: 'eventbridge'; busName: string; endpoint?: string; region?: string };

/**
 * The AWS SDK clients, one per kind, endpoint and region for the process's life: a warm Lambda
 * invocation reuses the client of the one before (its resolved credentials, middleware and
 * kept-alive connections) instead of building them, and a TLS session, per run. The key takes
 * AWS_REGION, which the SDK reads when the config names no region. Clients keep no per-run state;
 * credentials refresh through the SDK's own provider.
 */
const sdkClients = new Map<string, unknown>();

function sdkClient<T>(kind: string, config: { endpoint?: string; region?: string }, build: () => T): T {
  const key = JSON.stringify([kind, config.endpoint ?? null, config.region ?? process.env.AWS_REGION ?? null]);
  let client = sdkClients.get(key) as T | undefined;
  if (!client) {
    client = build();
    sdkClients.set(key, client);
  }
  return client;
}

/** AWS SDK clients built so far (tests count them). */
export const sdkClientCount = (): number => sdkClients.size;

/**
 * A module imported on first use and kept for the container's life: a warm invocation does not
 * ask the module loader (and its resolve hooks, where there are any) again. A failed import is
 * not kept.
 */
function importedOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (!kept) {
      kept = load();
      kept.catch(() => (kept = undefined));
    }
    return kept;
  };
}

const fileStoreModule = importedOnce(() => import('./file-store'));
const dynamoStoreModules = importedOnce(() => Promise.all([import('@aws-sdk/client-dynamodb'), import('./dynamo-store')]));
const eventsModule = importedOnce(() => import('./events'));
const eventBridgeModule = importedOnce(() => import('@aws-sdk/client-eventbridge'));

/**
 * Opens the configured audit store. Async so the AWS SDK is imported only when the DynamoDB
 * store is chosen (a function bundled for local runs never loads it).
 */
export async function openAuditStore(config: AuditStoreConfig): Promise<AuditStore> {
  if (config.kind === 'file') {
    const { FileAuditStore, DEFAULT_AUDIT_PATH } = await fileStoreModule();
    return new FileAuditStore(config.path ?? DEFAULT_AUDIT_PATH, { retentionDays: config.retentionDays });
  }
  if (config.kind === 'dynamodb') {
    const [{ DynamoDBClient }, { DynamoAuditStore }] = await dynamoStoreModules();
    const client = sdkClient('dynamodb', config, () =>
      new DynamoDBClient({
        ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
        ...(config.region !== undefined && { region: config.region }),
      }),
    );
    return new DynamoAuditStore({ tableName: config.tableName, client, retentionDays: config.retentionDays, allowScan: config.allowScan });
  }
  throw new Error(`audit store kind must be "file" or "dynamodb", got "${(config as { kind?: unknown }).kind}"`);
}

/** Opens the configured event publisher (memory/JSON-lines locally, EventBridge when deployed). */
export async function openEventPublisher(config: EventPublisherConfig): Promise<EventPublisher> {
  if (config.kind === 'memory') {
    const { MemoryPublisher } = await eventsModule();
    return new MemoryPublisher(config.path !== undefined ? { path: config.path } : {});
  }
  if (config.kind === 'eventbridge') {
    const [{ EventBridgeClient }, { EventBridgePublisher }] = await Promise.all([eventBridgeModule(), eventsModule()]);
    const client = sdkClient('eventbridge', config, () =>
      new EventBridgeClient({
        ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
        ...(config.region !== undefined && { region: config.region }),
      }),
    );
    return new EventBridgePublisher({ client, busName: config.busName });
  }
  throw new Error(`event publisher kind must be "memory" or "eventbridge", got "${(config as { kind?: unknown }).kind}"`);
}

/** The store config of an `audit` config section (config.audit), as the functions open it. */
export function auditStoreConfigOf(
  audit: { store: 'file'; path: string; retention?: string } | { store: 'dynamodb'; tableName: string; endpoint?: string; region?: string; retention?: string },
  options: { allowScan?: boolean } = {},
): AuditStoreConfig {
  const days = audit.retention === undefined ? undefined : Number(audit.retention.slice(0, -1)) * (audit.retention.endsWith('w') ? 7 : 1);
  if (audit.store === 'file') return { kind: 'file', path: audit.path, ...(days !== undefined && { retentionDays: days }) };
  return { kind: 'dynamodb', tableName: audit.tableName, endpoint: audit.endpoint, region: audit.region, retentionDays: days, ...options };
}
