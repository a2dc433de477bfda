/**
 * CPU per instance of the listing path: vendor answer → `Instance` objects → a policy's selection
 * (name glob, tag, exemption), per vendor. The simulator's answers to one full listing are recorded
 * once, then replayed through a fresh client with no network and no latency, so the CPU time
 * measured (`process.cpuUsage`) is the client's and the engine's alone.
 *
 *   node --expose-gc --import tsx bench/listing-cpu.ts [--instances 5000] [--repeat 7] [--root ../base --root .]
 *
 * With several `--root`s (worktrees of this repository sharing one node_modules) their `lib/` is
 * loaded side by side and measured alternately in one process: the ratio of their medians is the
 * comparison; absolute µs move with the machine's load. With `--expose-gc` every measured listing
 * starts from a collected heap, so one listing's garbage is not billed to the next.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as selectModule from '../lib/automations/engine/select';
import type * as vendorsModule from '../lib/vendors';
import { simCredentials, type SimVendorName } from '../sim/core';
import { startBenchSim } from './lib/bench-sim';
import { BENCH_REGIONS, VENDORS } from './lib/targets';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '5000' },
    repeat: { type: 'string', default: '7' },
    root: { type: 'string', multiple: true },
    vendor: { type: 'string', multiple: true },
  },
});
const count = Number(values.instances);
const repeat = Number(values.repeat);
const roots = (values.root?.length ? values.root : ['.']).map((r) => resolve(r));
const vendors = (values.vendor?.length ? values.vendor : VENDORS) as SimVendorName[];

type Lib = { vendors: typeof vendorsModule; select: typeof selectModule };
const load = async (root: string): Promise<Lib> => ({
  vendors: (await import(pathToFileURL(`${root}/lib/vendors/index.ts`).href)) as Lib['vendors'],
  select: (await import(pathToFileURL(`${root}/lib/automations/engine/select.ts`).href)) as Lib['select'],
});

interface Recorded {
  status: number;
  headers: [string, string][];
  body: string;
}

/** The whole scope with the auto-delete timers, as a selector-narrowed auto-delete pass asks (on Alibaba: tags read per instance). */
const QUERY = { autoDeleteTimers: true };
const selector = { names: ['*'], tags: {} };
const exemptions = { tag: 'auto-delete-exempt', entries: [{ id: 'none', reason: 'bench' }] };

async function listAll(lib: Lib, vendor: SimVendorName, endpoint: string, fetchImpl: typeof fetch, now: number) {
  const transport = new lib.vendors.Transport({ fetch: fetchImpl, rateLimit: false, retry: { maxAttempts: 1 } });
  const c = simCredentials(vendor);
  const client = await lib.vendors.createVendorClient({
    vendor,
    target: `${vendor}-bench`,
    endpoint,
    credentials: { accessKeyId: c.accessKeyId, secret: c.secret },
    transport,
    now: () => now,
  });
  const at = new Date(now);
  let listed = 0;
  let selected = 0;
  for await (const page of client.listInstances({ region: BENCH_REGIONS[vendor] }, { ...QUERY })) {
    for (const instance of page) {
      listed++;
      if (!lib.select.matchesSelector(instance, selector)) continue;
      if (!lib.select.exemptionFor(instance, exemptions, at).exempt) selected++;
    }
  }
  return { listed, selected, requests: transport.requestsSent };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const libs = await Promise.all(roots.map(load));
console.log(`listing CPU bench: ${count} instances per vendor, ${repeat} runs per vendor and tree, node ${process.version}, trees: ${roots.join(', ')}`);
const { loadavg } = await import('node:os');
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
for (const vendor of vendors) {
  const sim = await startBenchSim(vendor, count);
  const now = Date.parse(sim.now);
  // one recorded listing (this tree's client), replayed in request order to every tree: kept by the
  // order the requests were sent in, not answered in (pages are asked ahead, several at once)
  const recorded: Recorded[] = [];
  const recordingFetch: typeof fetch = async (url, init) => {
    const slot = recorded.length++;
    const r = await fetch(url, init);
    const body = await r.text();
    recorded[slot] = { status: r.status, headers: [...r.headers], body };
    return new Response(body, { status: r.status, headers: r.headers });
  };
  const first = await listAll(libs[0]!, vendor, sim.endpoint, recordingFetch, now);
  await sim.sim.stop();
  const replay = (): typeof fetch => {
    let i = 0;
    return async () => {
      const r = recorded[i++];
      if (!r) throw new Error('the replayed listing asked more requests than were recorded');
      return new Response(r.body, { status: r.status, headers: r.headers });
    };
  };
  const perInstance: number[][] = roots.map(() => []);
  for (let rep = 0; rep < repeat + 1; rep++) {
    for (const [t, lib] of libs.entries()) {
      (globalThis as { gc?: () => void }).gc?.();
      const cpu0 = process.cpuUsage();
      const got = await listAll(lib, vendor, sim.endpoint, replay(), now);
      const cpu = process.cpuUsage(cpu0);
      if (got.listed !== first.listed || got.selected !== first.selected) throw new Error(`${vendor}: tree ${roots[t]} listed ${got.listed}/${got.selected}, recorded ${first.listed}/${first.selected}`);
      if (rep > 0) perInstance[t]!.push((cpu.user + cpu.system) / got.listed); // the first round warms up
    }
  }
  // the machine's other load only adds CPU time (GC threads, caches): the minimum is the steadier figure
  const meds = perInstance.map(median);
  const mins = perInstance.map((xs) => Math.min(...xs));
  const cells = meds.map((m, t) => `${roots[t]}: median ${m.toFixed(1)}, min ${mins[t]!.toFixed(1)} µs/instance (runs ${perInstance[t]!.map((x) => x.toFixed(1)).join(' ')})`);
  const ratio = meds.length > 1 ? `; second tree / first: median ${(meds[1]! / meds[0]!).toFixed(2)}, min ${(mins[1]! / mins[0]!).toFixed(2)}` : '';
  console.log(`${vendor.padEnd(8)} ${first.listed} listed, ${first.requests} requests: ${cells.join('; ')}${ratio}`);
}
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
