import type { RunReport } from '../automations';

/**
 * Run metrics (CloudWatch, through Powertools Metrics as EMF log lines): what a run report says
 * went wrong, so an alarm can watch it (resources/monitoring.cjs). Dimensions: service, function;
 * namespace POWERTOOLS_METRICS_NAMESPACE (serverless.yml: CloudFleetAutomation/<stage>).
 */
export const RUN_METRICS = {
  /** Scopes whose listing or credentials failed (an expired vendor key shows here): no destructive action ran there. */
  readFailures: 'ReadFailures',
  /** Destructive actions the guards refused (blast radius, per-run cap, read failure). */
  refusedActions: 'RefusedActions',
  /** Actions the vendor was asked for and that failed. */
  failedActions: 'FailedActions',
} as const;

export const DEFAULT_METRICS_NAMESPACE = 'CloudFleetAutomation';

/** The part of Powertools' Metrics used here (tests pass a real Metrics and read what it would emit). */
export interface MetricsSink {
  addDimension(name: string, value: string): void;
  addMetric(name: string, unit: 'Count', value: number): void;
  publishStoredMetrics(): void;
}

/** The counts of one run report. The timeout-stop note is not a read failure. */
export function runMetricValues(report: Pick<RunReport, 'rows' | 'errors' | 'continuation'>): Record<(typeof RUN_METRICS)[keyof typeof RUN_METRICS], number> {
  const count = (status: string) => report.rows.filter((r) => r.status === status).length;
  return {
    [RUN_METRICS.readFailures]: report.errors.length - (report.continuation ? 1 : 0),
    [RUN_METRICS.refusedActions]: count('refused'),
    [RUN_METRICS.failedActions]: count('failed'),
  } as Record<(typeof RUN_METRICS)[keyof typeof RUN_METRICS], number>;
}

let lambdaSink: Promise<MetricsSink> | undefined;

/** In Lambda (not `sls invoke local`), one Powertools Metrics per cold start, loaded on first use. */
function defaultSink(env: Record<string, string | undefined>): Promise<MetricsSink> | undefined {
  if (!env.AWS_LAMBDA_FUNCTION_NAME || env.IS_LOCAL === 'true') return undefined;
  return (lambdaSink ??= import('@aws-lambda-powertools/metrics').then(
    ({ Metrics }) => new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE }) as unknown as MetricsSink,
  ));
}

/**
 * Emits the run's metrics (every one, zeros included, so an alarm sees data and not
 * INSUFFICIENT_DATA). Never throws: a metrics problem must not fail a run that acted.
 */
export async function publishRunMetrics(
  fn: string,
  report: Pick<RunReport, 'rows' | 'errors' | 'continuation'>,
  options: { metrics?: MetricsSink; env?: Record<string, string | undefined>; onError?: (e: unknown) => void } = {},
): Promise<void> {
  try {
    const sink = options.metrics ?? (await defaultSink(options.env ?? process.env));
    if (!sink) return;
    sink.addDimension('function', fn);
    for (const [name, value] of Object.entries(runMetricValues(report))) sink.addMetric(name, 'Count', value);
    sink.publishStoredMetrics();
  } catch (e) {
    options.onError?.(e);
  }
}
