import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport } from '../../../lib/vendors/core';
import { createCecstackClient, type CecstackClientExtras } from '../../../lib/vendors/cecstack';
import type { CecstackSettings } from '../../../lib/vendors/core';

const dir = new URL('./fixtures/', import.meta.url);

/** A documented sample response, fixed by hand (each file names its seed lines). */
export function fixture(name: string): { source: string; response: unknown } {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
}

export const fastTransport = (readOnly = false) => new Transport({ readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } });

export const SIM_CREDS = { accessKeyId: 'sim-cecstack-id', secret: 'sim-cecstack-secret' };

export function client(endpoint: string, opts: { settings?: Partial<CecstackSettings>; transport?: Transport; extras?: CecstackClientExtras; secret?: string } = {}) {
  return createCecstackClient(
    {
      target: 'cec-test',
      endpoint,
      credentials: { ...SIM_CREDS, secret: opts.secret ?? SIM_CREDS.secret },
      operatorCredentials: SIM_CREDS,
      transport: opts.transport ?? fastTransport(),
      settings: { auth: { scheme: 'bearer' }, ...opts.settings },
    },
    opts.extras,
  );
}

export interface Captured {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A loopback server that records each request and answers with the sample response for its route. */
export async function captureServer(answer: (req: { method: string; path: string }) => unknown) {
  const captured: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      captured.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0]!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer({ method: req.method!, path })));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
