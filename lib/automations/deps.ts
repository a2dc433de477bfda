import type { EventPublisher } from '../audit/events';
import { auditStoreConfigOf, openAuditStore, openEventPublisher } from '../audit/open';
import { credentialSettings } from '../config/credential-settings';
import type { AutomationConfig } from '../config/schema';
import { loadVendorClient, type VendorClientFactory } from '../vendors';
import { Transport, type Credentials, type TransportOptions, type VendorClient } from '../vendors/core';
import type { CloudEventFocus, EngineDeps, Mode, TargetConfig, TriggerKind } from './engine';

export interface DepsInput {
  runId: string;
  trigger: TriggerKind;
  now: Date;
  config: AutomationConfig;
  modeFor(policy: { mode: Mode }): Mode;
  shouldStop(): boolean;
  remainingMs?: () => number;
  leaseClock?: () => number;
  resolveCredentials(target: TargetConfig, which?: 'credentials' | 'operatorCredentials'): Promise<Credentials | undefined>;
  filters?: { targets?: string[]; policies?: string[] };
  focus?: CloudEventFocus;
  log?: EngineDeps['log'];
  progress?: EngineDeps['progress'];
  allowAction?: EngineDeps['allowAction'];
  /** Extra transport options (benchmarks count requests, tests shorten retries). */
  transport?: TransportOptions;
}

export interface BuiltDeps extends EngineDeps {
  /** The two transports of the run: dry-run policies get the read-only one. */
  transports: Record<Mode, Transport>;
  close(): Promise<void>;
}

/** The bus and/or the local file: with both set, every event goes to both (README "and/or"). */
async function openEvents(events: AutomationConfig['events']): Promise<EventPublisher> {
  if (!events.busName) return openEventPublisher({ kind: 'memory', path: events.file });
  const bus = await openEventPublisher({ kind: 'eventbridge', busName: events.busName });
  if (!events.file) return bus;
  const [{ TeePublisher }, file] = await Promise.all([import('../audit/events'), openEventPublisher({ kind: 'memory', path: events.file })]);
  return new TeePublisher([bus, file]);
}

/**
 * Builds what the engine needs from the config: the audit store, the event publisher, and per
 * target a client whose transport is read-only in dry-run mode (so a dry run cannot mutate even by
 * mistake). Credentials are resolved once per run and never logged.
 */
export async function buildEngineDeps(input: DepsInput): Promise<BuiltDeps> {
  const { config } = input;
  const audit = await openAuditStore(auditStoreConfigOf(config.audit));
  const events = await openEvents(config.events);
  const budget = config.safety.requestBudget;
  const transports: Record<Mode, Transport> = {
    'dry-run': new Transport({ requestBudget: budget, ...input.transport, readOnly: true }),
    enforce: new Transport({ requestBudget: budget, ...input.transport, readOnly: false }),
  };
  const creds = new Map<string, { credentials: Credentials; operator?: Credentials }>();
  // a missing credential fails only that target's scopes (the error names the variable), not the run
  const credentialErrors = new Map<string, Error>();
  for (const target of config.targets) {
    if (input.filters?.targets?.length && !input.filters.targets.includes(target.name)) continue;
    try {
      const credentials = await input.resolveCredentials(target, 'credentials');
      if (!credentials) continue;
      creds.set(target.name, { credentials, operator: target.operatorCredentials ? await input.resolveCredentials(target, 'operatorCredentials') : undefined });
    } catch (e) {
      credentialErrors.set(target.name, e as Error);
    }
  }
  // only the vendors of the targets this run may use are loaded (cold start)
  const factories = new Map<string, VendorClientFactory>();
  for (const target of config.targets) if (creds.has(target.name) && !factories.has(target.vendor)) factories.set(target.vendor, await loadVendorClient(target.vendor));
  const clients = new Map<string, VendorClient>();
  // the run's business time, advancing with the wall clock while the run lasts
  const wallAtStart = Date.now();
  const businessNow = () => input.now.getTime() + (Date.now() - wallAtStart);
  return {
    runId: input.runId,
    trigger: input.trigger,
    now: input.now,
    config,
    audit,
    events,
    transports,
    modeFor: input.modeFor,
    shouldStop: input.shouldStop,
    remainingMs: input.remainingMs,
    leaseClock: input.leaseClock,
    filters: input.filters,
    focus: input.focus,
    log: input.log,
    progress: input.progress,
    allowAction: input.allowAction,
    client(target: TargetConfig, mode: Mode): VendorClient {
      const key = `${target.name}|${mode}`;
      let client = clients.get(key);
      if (!client) {
        const c = creds.get(target.name);
        if (!c) throw credentialErrors.get(target.name) ?? new Error(`no credentials resolved for target ${target.name}`);
        client = factories.get(target.vendor)!({
          vendor: target.vendor,
          target: target.name,
          endpoint: target.endpoint,
          credentials: c.credentials,
          operatorCredentials: c.operator,
          transport: transports[mode],
          settings: target.settings,
          credentialSettings: credentialSettings(target),
          now: businessNow,
        });
        clients.set(key, client);
      }
      return client;
    },
    async close() {
      await audit.close?.();
    },
  };
}
