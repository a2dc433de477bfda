import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock';
import { Faults } from './faults';
import { Rng } from './random';
import { SimRateLimits } from './rate-limit';
import type { RequestLogEntry, SimContext, SimRequest, SimResponse, SimVendorName, VendorSimulator } from './types';

export const DEFAULT_PORTS: Record<SimVendorName, number> = { tencent: 8101, kec: 8102, alibaba: 8103, cecstack: 8104 };

/** Default accepted credentials: `sim-<vendor>-id` / `sim-<vendor>-secret`, overridable by environment. */
export function simCredentials(vendor: SimVendorName, env: NodeJS.ProcessEnv = process.env) {
  const up = vendor.toUpperCase();
  return {
    accessKeyId: env[`SIM_${up}_ACCESS_KEY_ID`] ?? `sim-${vendor}-id`,
    secret: env[`SIM_${up}_SECRET`] ?? `sim-${vendor}-secret`,
  };
}

export interface StartSimOptions {
  modules: VendorSimulator[];
  /** Port per vendor; 0 picks a free one. Defaults: env `SIM_<VENDOR>_PORT`, else 8101-8104. */
  ports?: Partial<Record<SimVendorName, number>>;
  host?: string;
  clock?: SimClock;
  env?: NodeJS.ProcessEnv;
}

export interface RunningSim {
  endpoints: Partial<Record<SimVendorName, string>>;
  clock: SimClock;
  faults: Faults;
  rateLimits: SimRateLimits;
  /** Every request the simulated clouds answered, in order. */
  requests: RequestLogEntry[];
  module<T extends VendorSimulator>(vendor: SimVendorName): T;
  /** Seeds every module with `count` instances from one seed. */
  seedFleet(seed: number, count: number, demo?: boolean): void;
  mutatingRequests(vendor?: SimVendorName): RequestLogEntry[];
  stop(): Promise<void>;
}

/** Starts one loopback HTTP server per vendor module, sharing one clock and one fault control. */
export async function startSim(options: StartSimOptions): Promise<RunningSim> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? new SimClock();
  const faults = new Faults();
  const rateLimits = new SimRateLimits();
  const requests: RequestLogEntry[] = [];
  const servers: Server[] = [];
  const endpoints: Partial<Record<SimVendorName, string>> = {};
  const host = options.host ?? '127.0.0.1';

  for (const module of options.modules) {
    const creds = simCredentials(module.vendor, env);
    const ctx: SimContext = { clock, faults, credentials: new Map([[creds.accessKeyId, creds.secret]]) };
    const server = createServer((req, res) => {
      void serve(module, ctx, req, res, { faults, rateLimits, requests, clock });
    });
    const envPort = env[`SIM_${module.vendor.toUpperCase()}_PORT`];
    const port = options.ports?.[module.vendor] ?? (envPort !== undefined ? Number(envPort) : DEFAULT_PORTS[module.vendor]);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    servers.push(server);
    endpoints[module.vendor] = `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  return {
    endpoints,
    clock,
    faults,
    rateLimits,
    requests,
    module<T extends VendorSimulator>(vendor: SimVendorName): T {
      const m = options.modules.find((x) => x.vendor === vendor);
      if (!m) throw new Error(`no simulator module for ${vendor}`);
      return m as T;
    },
    seedFleet(seed: number, count: number, demo = false) {
      for (const m of options.modules) m.seedFleet({ rng: new Rng(seed ^ hash(m.vendor)), count, now: clock.now(), demo });
    },
    mutatingRequests(vendor?: SimVendorName) {
      return requests.filter((r) => r.mutating && (!vendor || r.vendor === vendor));
    },
    async stop() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

async function serve(
  module: VendorSimulator,
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  shared: { faults: Faults; rateLimits: SimRateLimits; requests: RequestLogEntry[]; clock: SimClock },
): Promise<void> {
  const arrived = Date.now();
  let status = 500;
  let action = 'unknown';
  let wallMs = arrived;
  let answerAt = 0;
  let throttled = false;
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : (v ?? '');
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: q >= 0 ? url.slice(0, q) : url,
      rawQuery: q >= 0 ? url.slice(q + 1) : '',
      query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      host: headers.host ?? '',
    };
    action = module.actionOf(simReq);
    let response: SimResponse | 'malformed' | undefined;
    for (const fault of shared.faults.fire(module.vendor, action)) {
      if (fault.kind === 'latency' || fault.kind === 'hang') await delay(fault.latencyMs ?? (fault.kind === 'hang' ? 60_000 : 50));
      if (fault.kind === 'round-trip') answerAt = Math.max(answerAt, arrived + (fault.latencyMs ?? 50));
      if (fault.kind === 'throttle' && !response) {
        response = module.throttled(simReq);
        throttled = true;
      }
      if (fault.kind === '5xx') response ??= module.serverError(simReq);
      if (fault.kind === 'malformed') response ??= 'malformed';
    }
    wallMs = Date.now();
    if (!response && !shared.rateLimits.admit(`${module.vendor}|${module.rateScopeOf?.(simReq) ?? ''}|${action}`, module.rateLimitOf(action), wallMs)) {
      response = module.throttled(simReq);
      throttled = true;
    }
    response ??= await module.handle(simReq, ctx);
    // the cloud's own work is done inside the round trip, not after it
    if (answerAt > Date.now()) await delay(answerAt - Date.now());
    if (response === 'malformed') {
      status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"Response": {"RequestId": "trunc');
      return;
    }
    status = response.status;
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...response.headers });
    res.end(body);
  } catch (e) {
    status = 500;
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`simulator error: ${(e as Error).message}`);
  } finally {
    shared.requests.push({
      vendor: module.vendor,
      action,
      mutating: module.isMutating(action),
      status,
      at: shared.clock.now().toISOString(),
      wallMs,
      throttled,
    });
  }
}

function delay(ms: number): Promise<void> {
  // unref'd: an injected hang must not keep a test process alive after stop()
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
