import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { loadAutomation } from '../../lib/automations';
import type { AutomationConfig } from '../../lib/config/schema';
import { fanoutHandler } from '../../lib/runtime/fanout-handler';
import { loadVendorClient } from '../../lib/vendors';

/**
 * One fan-out worker in its own process, as a warm Lambda container: `bench/fanout.ts --processes`
 * hands it one SQS event at a time over IPC, and each run's config (its fleet's endpoints) before
 * the run. Its modules are loaded before the clock starts (every vendor client and the automation)
 * and it lives through every run, the warm-up's included, so the bench compares warm workers.
 */
type Message =
  | { type: 'init'; env: Record<string, string> }
  | { type: 'config'; id: number; config: AutomationConfig }
  | { type: 'invoke'; id: number; event: unknown }
  | { type: 'usage'; id: number };

let handler: ((event: unknown, context: Context) => Promise<unknown>) | undefined;

const context = (): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'fanout-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fanout-bench',
    memoryLimitInMB: '1024',
    awsRequestId: `bench-${Date.now()}`,
    logGroupName: '/aws/lambda/fanout-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

process.on('message', (raw) => {
  const msg = raw as Message;
  if (msg.type === 'init') {
    Object.assign(process.env, msg.env);
    void Promise.all([loadAutomation('auto-delete'), ...(['tencent', 'kec', 'alibaba', 'cecstack'] as const).map((v) => loadVendorClient(v))]).then(() => process.send!({ type: 'ready' }));
    return;
  }
  if (msg.type === 'config') {
    // each run's fleet has its own endpoints; the modules stay loaded and warm
    handler = fanoutHandler('auto-delete', { config: msg.config }) as never;
    process.send!({ id: msg.id, data: null });
    return;
  }
  if (msg.type === 'usage') {
    const cpu = process.cpuUsage();
    let waitingMs = Number.NaN;
    try {
      waitingMs = Number(readFileSync('/proc/self/schedstat', 'utf8').trim().split(/\s+/)[1]) / 1e6;
    } catch {
      /* not Linux */
    }
    process.send!({ id: msg.id, data: { cpuMs: (cpu.user + cpu.system) / 1000, waitingMs } });
    return;
  }
  void handler!(msg.event, context()).then(
    (data) => process.send!({ id: msg.id, data }),
    (e: Error) => process.send!({ id: msg.id, error: e.message }),
  );
});
process.on('disconnect', () => process.exit(0));
