import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { chunk } from '../vendors/core';
import { deduplicationIdOf, messageGroupOf, type WorkItem } from './work-item';

/** SendMessageBatch takes at most 10 entries. */
export const SQS_BATCH_MAX = 10;

export interface WorkQueueOptions {
  queueUrl: string;
  /** Override the SQS endpoint (local SQS, tests); default: the client's own (the queue URL's host). */
  endpoint?: string;
  region?: string;
  /** Rounds of re-sending the entries a batch call reported as failed. */
  resendRounds?: number;
  client?: SQSClient;
}

export class FanoutConfigError extends Error {
  override readonly name = 'FanoutConfigError';
}

/** The work queue, through the real @aws-sdk/client-sqs. FIFO queues (URL ending `.fifo`) get a message group per account-region. */
export class WorkQueue {
  readonly queueUrl: string;
  readonly fifo: boolean;
  private client?: SQSClient;
  private readonly clientOptions: { region?: string; endpoint?: string };
  private readonly resendRounds: number;

  constructor(options: WorkQueueOptions) {
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
    this.resendRounds = options.resendRounds ?? 2;
    this.client = options.client;
    this.clientOptions = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
  }

  /** The SDK is loaded on the first send: a worker invocation that sends nothing never loads it (cold start). */
  private async sdk() {
    const mod = await import('@aws-sdk/client-sqs');
    this.client ??= new mod.SQSClient(this.clientOptions);
    return { sqs: this.client, SendMessageBatchCommand: mod.SendMessageBatchCommand, SendMessageCommand: mod.SendMessageCommand };
  }

  /** From the environment: FANOUT_QUEUE_URL (required), FANOUT_SQS_ENDPOINT, FANOUT_SQS_REGION / AWS_REGION. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): WorkQueue {
    const queueUrl = env.FANOUT_QUEUE_URL;
    if (!queueUrl) throw new FanoutConfigError('FANOUT_QUEUE_URL is not set: set it to the work queue URL (serverless.yml sets it from the FanoutQueue resource)');
    const region = env.FANOUT_SQS_REGION ?? env.AWS_REGION ?? regionOfQueueUrl(queueUrl);
    if (!region) throw new FanoutConfigError('no region for the work queue: set AWS_REGION or FANOUT_SQS_REGION');
    return new WorkQueue({ queueUrl, endpoint: env.FANOUT_SQS_ENDPOINT || undefined, region });
  }

  /** Sends every item, 10 per SendMessageBatch call; entries the queue reports as failed are re-sent, then it throws naming how many. */
  async sendAll(items: WorkItem[]): Promise<{ calls: number }> {
    let calls = 0;
    let pending = items;
    let lastFailure = '';
    for (let round = 0; pending.length && round <= this.resendRounds; round++) {
      const failed: WorkItem[] = [];
      for (const batch of chunk(pending, SQS_BATCH_MAX)) {
        calls++;
        const { sqs, SendMessageBatchCommand } = await this.sdk();
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch.map((item, i) => this.entry(item, String(i))) }));
        for (const f of out.Failed ?? []) {
          failed.push(batch[Number(f.Id)]!);
          lastFailure = `${f.Code}: ${f.Message}`;
        }
      }
      pending = failed;
    }
    if (pending.length) throw new Error(`work queue refused ${pending.length} of ${items.length} work item(s) after ${this.resendRounds + 1} attempts (last: ${lastFailure})`);
    return { calls };
  }

  async send(item: WorkItem): Promise<void> {
    const { Id: _id, ...entry } = this.entry(item, '0');
    const { sqs, SendMessageCommand } = await this.sdk();
    await sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, ...entry }));
  }

  private entry(item: WorkItem, id: string): SendMessageBatchRequestEntry {
    return {
      Id: id,
      MessageBody: JSON.stringify(item),
      ...(this.fifo ? { MessageGroupId: messageGroupOf(item), MessageDeduplicationId: deduplicationIdOf(item) } : {}),
    };
  }
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → region. */
function regionOfQueueUrl(url: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(url)?.[1];
}
