import type { SimVendorName } from '../../sim/core';

/** Wraps fetch to keep a few samples of each request/response (development aid for the minimum). */
export class RequestRecorder {
  readonly samples: Record<string, { url: string; method: string; body?: string; response: string }[]> = {};
  constructor(private readonly vendor: SimVendorName) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    const url = String(input);
    const key = `${init?.method} ${url.replace(/\?.*/, '')} ${(/Action=([A-Za-z]+)/.exec(url + (init?.body as string)) ?? [])[1]}`;
    const list = (this.samples[key] ??= []);
    if (list.length < 2) list.push({ url, method: init?.method ?? 'GET', body: init?.body as string, response: text.slice(0, 600) });
    return response;
  };

  minimum() {
    return { total: 0, byAction: {} as Record<string, { sent: number; minimum: number }> };
  }
}
