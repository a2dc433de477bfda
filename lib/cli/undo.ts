import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeActionKey, type AuditRecord } from '../audit';
import { softDeleteSettingsFor, softRestoreRun } from '../automations/soft-delete';
import { loadConfig, type AutomationConfig } from '../config';
import type { BatchOutcome, VendorClient } from '../vendors/core';
import { resolveConfigPath } from './config-path';
import { UsageError } from './errors';
import type { CliIo } from './io';
import { openConfiguredAuditStore } from './store';
import { formatTable } from './table';
import { displayZone, localizeTimes } from './time';

/** How to reverse one applied action with the vendor client; undefined = not automatically reversible. */
interface Inverse {
  describe: string;
  run(client: VendorClient): Promise<BatchOutcome[]>;
}

const fromRecycleBin = (r: AuditRecord): Inverse => ({
  describe: 'restore it from the recycle bin',
  async run(client) {
    const scope = { region: r.region };
    for await (const page of client.listRecycleBin(scope)) {
      const item = page.find((i) => i.id === r.resourceId);
      if (item) return client.restoreRecycled(scope, [item]);
    }
    return [{ id: r.resourceId, ok: false, error: { code: 'NotInRecycleBin', message: 'not in the recycle bin any more (purged, or restored already)', retryable: false } }];
  },
});

/** The actions the CLI can reverse itself, from what the trail recorded (`before`). */
export function inverseOf(r: AuditRecord, config: AutomationConfig): Inverse | undefined {
  const was = typeof r.before?.autoDeleteAt === 'string' ? r.before.autoDeleteAt : undefined;
  const scope = { region: r.region };
  switch (r.action) {
    case 'set-auto-delete-time':
      return was
        ? { describe: `set the auto-delete time back to ${was}`, run: (c) => c.setAutoDeleteTime(scope, [r.resourceId], was) }
        : { describe: 'clear the auto-delete time', run: (c) => c.clearAutoDeleteTime(scope, [r.resourceId]) };
    case 'clear-auto-delete-time':
      return was ? { describe: `set the auto-delete time back to ${was}`, run: (c) => c.setAutoDeleteTime(scope, [r.resourceId], was) } : undefined;
    case 'delete-instance':
      return r.undoHint ? fromRecycleBin(r) : undefined;
    case 'soft-delete-instance': {
      const tag = softDeleteSettingsFor(config, r.target).tag;
      return { describe: `remove tag ${tag} and start the instance`, run: (c) => softRestoreRun(c, scope, tag)([r.resourceId]) };
    }
    default:
      return undefined;
  }
}

/** `undo RUN`: shows how each applied action of a run would be reversed; `--yes` does it, audited like any action. */
export async function undoCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, yes: { type: 'boolean', default: false }, wide: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError('undo takes one run id: `cloud-automation undo RUN` (run ids are in `cloud-automation audit`)');
  const runId = positionals[0]!;
  const config = await loadConfig(resolveConfigPath(values.config, io.env));
  const zone = displayZone(config);
  const store = await openConfiguredAuditStore(config);
  let results: AuditRecord[];
  try {
    results = await store.query({ runId, phase: 'result' });
    if (!results.length && !(await store.query({ runId })).length) {
      const recent = [...new Set((await store.query({ phase: 'result' })).map((r) => r.runId))].slice(-5);
      throw new UsageError(`no records of run "${runId}"; recent runs that acted: ${recent.join(', ') || '(none)'}`);
    }
  } finally {
    await store.close?.();
  }
  const applied = results.filter((r) => r.outcome === 'success' || r.outcome === 'reconciled');
  if (!applied.length) {
    io.out(`run ${runId} applied nothing: nothing to undo`);
    return 0;
  }
  const plan = applied.map((r) => ({ record: r, inverse: inverseOf(r, config) }));
  const rows = plan.map(({ record: r, inverse }) => [r.target, r.resourceId, r.action, inverse ? 'undo' : 'by hand', localizeTimes(inverse?.describe ?? r.undoHint ?? 'no undo recorded', zone)]);
  io.out(formatTable(['target', 'resource', 'action', 'how', 'undo'], rows, values.wide ? undefined : io.columns, [16, 30, 22, 7]));
  const doable = plan.filter((p) => p.inverse);
  if (!values.yes) {
    io.out(`\n${doable.length} of ${plan.length} action(s) can be undone here; nothing changed. Pass --yes to undo them.`);
    return 0;
  }
  return perform(io, config, runId, doable as { record: AuditRecord; inverse: Inverse }[]);
}

async function perform(io: CliIo, config: AutomationConfig, runId: string, doable: { record: AuditRecord; inverse: Inverse }[]): Promise<number> {
  const [{ buildEngineDeps }, { resolveCredentials, resolveOperatorCredentials }] = await Promise.all([import('../automations/deps'), import('../runtime/credentials')]);
  const undoRun = randomUUID();
  const deps = await buildEngineDeps({
    runId: undoRun,
    trigger: 'manual',
    now: io.now(),
    config,
    modeFor: () => 'enforce',
    shouldStop: () => false,
    resolveCredentials: (target, which) => (which === 'operatorCredentials' ? resolveOperatorCredentials(target) : resolveCredentials(target)),
  });
  let failures = 0;
  try {
    for (const { record: r, inverse } of doable) {
      const target = config.targets.find((t) => t.name === r.target);
      const action = `undo-${r.action}`;
      const base: AuditRecord = {
        schemaVersion: 1,
        phase: 'intent',
        actionKey: makeActionKey({ function: r.function, policy: r.policy, target: r.target, region: r.region, resourceId: r.resourceId, action, slot: r.actionKey }),
        runId: undoRun,
        trigger: 'manual',
        function: r.function,
        policy: r.policy,
        vendor: r.vendor,
        target: r.target,
        region: r.region,
        resourceId: r.resourceId,
        resourceKind: r.resourceKind,
        action,
        mode: 'enforce',
        reason: `undo of run ${runId}: ${inverse.describe}`,
        requestIds: [],
        at: new Date().toISOString(),
        details: { undoOf: runId, undoneActionKey: r.actionKey },
      };
      if ((await deps.audit.putIntent(base)) === 'exists') {
        io.out(`${r.resourceId}: ${action} already recorded; not repeated`);
        continue;
      }
      let outcome: BatchOutcome | undefined;
      try {
        if (!target) throw new Error(`target "${r.target}" is not in the config any more`);
        outcome = (await inverse.run(deps.client(target, 'enforce')))[0];
      } catch (e) {
        outcome = { id: r.resourceId, ok: false, error: { code: (e as { code?: string }).code ?? 'Error', message: (e as Error).message, retryable: false } };
      }
      const ok = outcome?.ok ?? false;
      await deps.audit.putResult({
        ...base,
        phase: 'result',
        outcome: ok ? 'success' : 'failed',
        requestIds: outcome?.requestId ? [outcome.requestId] : [],
        error: ok ? undefined : { code: outcome?.error?.code ?? 'NoOutcome', message: outcome?.error?.message ?? 'the vendor call reported nothing' },
        at: new Date().toISOString(),
      });
      if (!ok) failures++;
      io.out(`${r.resourceId}: ${inverse.describe}: ${ok ? 'done' : `failed: ${outcome?.error?.code}: ${outcome?.error?.message}`}`);
    }
  } finally {
    await deps.close();
  }
  io.out(`undo run ${undoRun}: ${doable.length - failures} done, ${failures} failed (audited; see \`cloud-automation audit --run ${undoRun}\`)`);
  return failures ? 1 : 0;
}
