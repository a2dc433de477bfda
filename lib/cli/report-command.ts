import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type AutomationConfig } from '../config';
import { resolveConfigPath } from './config-path';
import type { CliIo } from './io';
import { readPrices, readTimeline, readTrail, reportHeader, writeReport, type ReportData } from './report';
import { isoArg } from './run';
import { openConfiguredAuditStore } from './store';

export const DEFAULT_REPORT_PATH = '.automation/report.html';

/** Reads the fleet (read-only clients), the trail and the price history; writes the page; returns its path. */
export async function buildReport(config: AutomationConfig, now: Date, path: string, progress?: (m: string) => void): Promise<string> {
  const [{ buildEngineDeps }, { resolveCredentials, resolveOperatorCredentials }] = await Promise.all([import('../automations/deps'), import('../runtime/credentials')]);
  const deps = await buildEngineDeps({
    runId: 'report',
    trigger: 'manual',
    now,
    config,
    modeFor: () => 'dry-run',
    shouldStop: () => false,
    transport: { retry: { maxAttempts: 2 }, timeoutMs: 10_000 },
    resolveCredentials: (target, which) => (which === 'operatorCredentials' ? resolveOperatorCredentials(target) : resolveCredentials(target)),
  });
  const problems: ReportData['open'] = [];
  try {
    progress?.('report: reading the fleet');
    const timeline = await readTimeline(config, (t) => deps.client(t, 'dry-run'), now, problems);
    progress?.('report: reading the audit trail');
    const store = await openConfiguredAuditStore(config);
    let trail: Awaited<ReturnType<typeof readTrail>>;
    try {
      trail = await readTrail(store);
    } finally {
      await store.close?.();
    }
    writeReport(path, { ...reportHeader(config, now), timeline, lastRuns: trail.lastRuns, prices: readPrices(config), open: [...problems, ...trail.open] });
  } finally {
    progress?.('');
    await deps.close();
  }
  return resolve(path);
}

/** `report [--out PATH] [--now ISO]`. */
export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, out: { type: 'string', default: DEFAULT_REPORT_PATH }, now: { type: 'string' } } });
  const config = await loadConfig(resolveConfigPath(values.config, io.env));
  const now = values.now ? new Date(isoArg('--now', values.now)) : io.now();
  const path = await buildReport(config, now, values.out, io.progress);
  io.out(`report written: ${path}`);
  return 0;
}
