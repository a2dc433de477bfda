import { jest } from '@jest/globals';
import { clearRegisteredSecrets } from '../../lib/audit/redact';
import {
  type RunContext,
  TriggerError,
  createHandler,
  createSummary,
  resolveCredentials,
} from '../../lib/runtime';
import { cloudEvent, config, lambdaContext, scheduledEvent } from './fixtures';

const nightly = config.policies.snapshots[0]!; // mode: enforce
const trial = config.policies.snapshots[1]!; // mode: dry-run (default)

/** Runs the handler once and returns the RunContext it built. */
async function contextFor(event: unknown, remaining?: () => number): Promise<RunContext> {
  let seen: RunContext | undefined;
  const handler = createHandler(
    'snapshots',
    async (ctx) => {
      seen = ctx;
      return 'done';
    },
    { config },
  );
  await expect(handler(event, lambdaContext(remaining))).resolves.toBe('done');
  return seen!;
}

/** Captures what the Powertools logger writes (JSON lines; INFO on stdout, WARN/ERROR on stderr). */
function captureOutput(): {
  lines: () => Record<string, unknown>[];
  text: () => string;
  restore: () => void;
} {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  const text = () => chunks.join('');
  return {
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

let out: ReturnType<typeof captureOutput>;
beforeEach(() => (out = captureOutput()));
afterEach(() => out.restore());

describe('trigger recognition and dry-run rules', () => {
  it('a scheduled event uses each policy mode and the scheduled time as now', async () => {
    const ctx = await contextFor(scheduledEvent);
    expect(ctx.trigger.kind).toBe('schedule');
    expect(ctx.trigger.scheduledAt).toBe('2026-03-01T18:00:00.000Z');
    expect(ctx.now.toISOString()).toBe('2026-03-01T18:00:00.000Z');
    expect(ctx.modeFor(nightly)).toBe('enforce');
    expect(ctx.modeFor(trial)).toBe('dry-run');
    expect(ctx.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an EventBridge Scheduler input is a scheduled run too', async () => {
    const ctx = await contextFor({
      source: 'aws.scheduler',
      'detail-type': 'Scheduled Event',
      time: '2026-03-02T01:00:00+08:00',
    });
    expect(ctx.trigger.kind).toBe('schedule');
    expect(ctx.now.toISOString()).toBe('2026-03-01T17:00:00.000Z');
  });

  it('a cloud event from our bus carries the validated event and uses policy modes', async () => {
    const ctx = await contextFor(cloudEvent);
    expect(ctx.trigger.kind).toBe('event');
    expect(ctx.trigger.event?.detail).toEqual(cloudEvent.detail);
    expect(ctx.trigger.event?.['detail-type']).toBe('Spot Interruption');
    expect(ctx.modeFor(nightly)).toBe('enforce');
  });

  it('a manual invocation is a dry run by default, even for an enforce policy', async () => {
    const ctx = await contextFor({});
    expect(ctx.trigger.kind).toBe('manual');
    expect(ctx.modeFor(nightly)).toBe('dry-run');
    expect(ctx.includesTarget('kec-main')).toBe(true);
  });

  it('a manual invocation with dryRun false enforces, with its filters and business time', async () => {
    const ctx = await contextFor({
      dryRun: false,
      targets: ['kec-main'],
      policies: ['trial'],
      now: '2026-05-01T08:00:00+08:00',
    });
    expect(ctx.modeFor(trial)).toBe('enforce');
    expect(ctx.now.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(ctx.filters).toEqual({ targets: ['kec-main'], policies: ['trial'] });
    expect([ctx.includesTarget('kec-main'), ctx.includesTarget('tencent-prod')]).toEqual([true, false]);
    expect([ctx.includesPolicy('trial'), ctx.includesPolicy('nightly')]).toEqual([true, false]);
  });

  it('a manual dryRun false without policy names enforces only mode: enforce policies', async () => {
    const ctx = await contextFor({ dryRun: false });
    expect(ctx.modeFor(nightly)).toBe('enforce');
    expect(ctx.modeFor(trial)).toBe('dry-run');
  });

  it('a manual dryRun false enforces a dry-run policy only when the payload names it', async () => {
    const ctx = await contextFor({ dryRun: false, policies: ['trial'] });
    expect(ctx.modeFor(trial)).toBe('enforce');
  });

  it.each([
    [null, /unrecognised trigger \(got null\): expected one of: an EventBridge scheduled event/],
    ['run', /unrecognised trigger \(got string\)/],
    [
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' },
      /unrecognised event source "aws.ec2"/,
    ],
    [
      { source: 'aws.events', 'detail-type': 'Object Created' },
      /invalid scheduled event: detail-type: expected "Scheduled Event", got "Object Created"/,
    ],
    [
      { ...cloudEvent, detail: { ...cloudEvent.detail, vendor: 'aws', instanceId: undefined } },
      /invalid cloud-automation event: detail.vendor: expected one of "tencent", "kec", "alibaba", "cecstack", got "aws"; detail.instanceId: required/,
    ],
    [{ dryRun: 'no' }, /invalid manual payload: dryRun: expected true or false, got "no"/],
    [{ dryrun: false }, /invalid manual payload: dryrun: unknown key \(did you mean "dryRun"\?\)/],
    [{ now: '2026-05-01 08:00' }, /now: expected an ISO 8601 date-time with a zone/],
    [{ targets: ['nope'] }, /unknown target "nope"; configured targets: "tencent-prod", "kec-main"/],
    [{ policies: ['weekly'] }, /unknown snapshots policy "weekly"; policies.snapshots: "nightly", "trial"/],
    [
      { ...cloudEvent, detail: { ...cloudEvent.detail, target: 'other' } },
      /event for unknown target "other"/,
    ],
  ])('rejects %j with a clear message', async (event, message) => {
    const handler = createHandler('snapshots', async () => 'ran', { config });
    const run = handler(event, lambdaContext());
    await expect(run).rejects.toThrow(TriggerError);
    await expect(handler(event, lambdaContext())).rejects.toThrow(message);
    expect(out.lines().some((l) => l.message === 'rejected trigger' && l.level === 'ERROR')).toBe(true);
  });
});

describe('timeout awareness', () => {
  it('shouldStop once remaining time falls below the margin; a summary carries the cursor', async () => {
    let remaining = 120_000;
    const handler = createHandler(
      'snapshots',
      async (ctx) => {
        const summary = createSummary(ctx);
        const ids = ['i-1', 'i-2', 'i-3', 'i-4'];
        for (const [n, id] of ids.entries()) {
          if (ctx.shouldStop()) return summary.stoppedAt({ next: id }).build();
          summary.count('kec-main', 'cn-beijing-6', n === 1 ? 'failed' : 'applied');
          remaining -= 40_000; // each action takes 40 s of the invocation
        }
        return summary.build();
      },
      { config },
    );
    const result = await handler(
      { dryRun: false },
      lambdaContext(() => remaining),
    );
    expect(result.continuation).toEqual({ cursor: { next: 'i-4' } });
    expect(result.totals).toEqual({ planned: 0, applied: 2, failed: 1, skipped: 0 });
    expect(result.byTarget).toEqual({
      'kec-main': { 'cn-beijing-6': { planned: 0, applied: 2, failed: 1, skipped: 0 } },
    });
    expect(result.function).toBe('snapshots');
  });

  it('outside Lambda there is no deadline', async () => {
    let seen: RunContext | undefined;
    const handler = createHandler('snapshots', async (ctx) => void (seen = ctx), { config });
    await handler({}, {} as never);
    expect(seen!.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(seen!.shouldStop()).toBe(false);
  });
});

describe('config loading', () => {
  it('loads the config once per cold start', async () => {
    const loadConfig = jest.fn(async () => config);
    const handler = createHandler('snapshots', async (ctx) => ctx.config.targets.length, { loadConfig });
    await expect(handler({}, lambdaContext())).resolves.toBe(2);
    await expect(handler(scheduledEvent, lambdaContext())).resolves.toBe(2);
    expect(loadConfig).toHaveBeenCalledTimes(1);
  });
});

describe('logging', () => {
  afterEach(() => clearRegisteredSecrets());

  it('writes JSON lines with the run id as correlation id and redacts registered secrets', async () => {
    const secret = 'rt-Very-Secret-Key-0042';
    let runId = '';
    const handler = createHandler(
      'snapshots',
      async (ctx) => {
        runId = ctx.runId;
        await resolveCredentials(ctx.config.targets[0]!, {
          env: { RT_TENCENT_ID: 'AKIDexample', RT_TENCENT_SECRET: secret },
        });
        ctx.logger.warn(`vendor echoed the request with key ${secret}`, { echo: { body: `x=${secret}` } });
        return 'ok';
      },
      { config },
    );
    await handler({}, lambdaContext());
    const lines = out.lines();
    expect(out.text()).not.toContain(secret);
    const warn = lines.find((l) => l.level === 'WARN')!;
    expect(warn.message).toBe('vendor echoed the request with key [REDACTED]');
    expect(warn.echo).toEqual({ body: 'x=[REDACTED]' });
    expect(lines.map((l) => l.message)).toEqual([
      'run started',
      'vendor echoed the request with key [REDACTED]',
      'run finished',
    ]);
    for (const l of lines)
      expect(l).toMatchObject({
        correlation_id: runId,
        runId,
        function: 'snapshots',
        service: 'cloud-fleet-automation',
      });
  });

  it('logs a failed run with the error, redacted, and rethrows', async () => {
    const secret = 'rt-Another-Secret-77';
    const handler = createHandler(
      'snapshots',
      async () => {
        await resolveCredentials(config.targets[0]!, {
          env: { RT_TENCENT_ID: 'id', RT_TENCENT_SECRET: secret },
        });
        throw new Error(`signature mismatch for ${secret}`);
      },
      { config },
    );
    await expect(handler({}, lambdaContext())).rejects.toThrow('signature mismatch');
    const failed = out.lines().find((l) => l.message === 'run failed')!;
    expect(JSON.stringify(failed)).toContain('signature mismatch for [REDACTED]');
    expect(out.text()).not.toContain(secret);
  });
});
