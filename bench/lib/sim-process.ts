import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FaultRule, SimVendorName } from '../../sim/core';
import type { FactInstance, SimCommand, SimStats } from './sim-child';

/** A simulated cloud running in a child process (see sim-child.ts). */
export interface SimProcess {
  endpoint: string;
  /** The simulator's business time, for the engine's `now`. */
  now: string;
  seedMs: number;
  faults(rule?: FaultRule): Promise<void>;
  rateLimits(enabled: boolean): Promise<void>;
  clearLog(): Promise<void>;
  stats(): Promise<SimStats>;
  /** The benchmark region's instances as the simulator holds them (for the documented minimum). */
  facts(): Promise<FactInstance[]>;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./sim-child.ts', import.meta.url));

/** Forks a child that starts `vendor`'s simulator on a free loopback port and seeds `count` instances. */
export async function startSimProcess(vendor: SimVendorName, count: number, seed = 42): Promise<SimProcess> {
  const { child, ready, ask } = await forkIpcChild<{ endpoint: string; now: string; seedMs: number }, SimCommand>(
    CHILD,
    [vendor, String(count), String(seed)],
    `${vendor} simulator`,
  );
  return {
    ...ready,
    faults: (rule) => ask({ type: 'faults', rule }),
    rateLimits: (enabled) => ask({ type: 'rateLimits', enabled }),
    clearLog: () => ask({ type: 'clearLog' }),
    stats: () => ask<SimStats>({ type: 'stats' }),
    facts: () => ask<FactInstance[]>({ type: 'facts' }),
    stop: () => stopChild(child),
  };
}

/**
 * Forks a bench child (tsx, 8 GiB heap) that sends one message when it is ready, then answers each
 * command `{ ...cmd, id }` with `{ id, data }`: `ask` sends a command and resolves to its answer.
 */
export async function forkIpcChild<Ready, Command extends object>(script: string, args: string[], what: string) {
  const child = fork(script, args, {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
    child.once('message', (m) => resolve(m as Ready));
  });
  child.removeAllListeners('exit');
  let next = 0;
  const pending = new Map<number, (data: unknown) => void>();
  child.on('message', (m) => {
    const { id, data } = m as { id: number; data: unknown };
    pending.get(id)?.(data);
    pending.delete(id);
  });
  const ask = <T>(cmd: Command) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (d: unknown) => void);
      child.send({ ...cmd, id });
    });
  return { child, ready, ask };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
