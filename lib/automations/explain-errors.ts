import type { AutomationConfig } from '../config/schema';
import { VendorError, type VendorClient } from '../vendors/core';

type Target = AutomationConfig['targets'][number];

const explained = new WeakSet<object>();

/** Names the credential settings of a target (never their values). */
export function credentialSettings(target: Pick<Target, 'credentials' | 'operatorCredentials'>): string {
  const describe = (field: string, c: Target['credentials']) =>
    'secretEnv' in c ? `${field}.accessKeyIdEnv ${c.accessKeyIdEnv}, ${field}.secretEnv ${c.secretEnv}` : `${field}.accessKeyIdParameter ${c.accessKeyIdParameter}, ${field}.secretParameter ${c.secretParameter}`;
  return [describe('credentials', target.credentials), ...(target.operatorCredentials ? [describe('operatorCredentials', target.operatorCredentials)] : [])].join('; ');
}

/**
 * Adds what the operator needs to fix a vendor failure: for a connection failure the target and
 * endpoint, for an answer that is not the vendor's the endpoint setting, for an auth failure the
 * credential settings to check.
 */
export function explainVendorError(e: unknown, target: Target): unknown {
  if (!(e instanceof VendorError) || explained.has(e)) return e;
  explained.add(e);
  const endpoint = target.endpoint ?? `the ${target.vendor} default endpoint`;
  let hint: string | undefined;
  if (e.auth) hint = `target "${target.name}" rejected the credentials: check ${credentialSettings(target)}`;
  else if (e.httpStatus === undefined) hint = `cannot reach target "${target.name}" at ${endpoint}: check its endpoint setting and the network`;
  else if (e.code === 'UnexpectedResponse' || e.code === 'MalformedResponse')
    hint = `the answer from ${endpoint} (target "${target.name}") is not a ${target.vendor} API response: check its endpoint setting`;
  if (hint) e.message = `${e.message} — ${hint}`;
  return e;
}

/** The client, with every failure of its calls and listings explained for the target. */
export function explainingClient(client: VendorClient, target: Target): VendorClient {
  const explain = (e: unknown) => explainVendorError(e, target);
  return new Proxy(client, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (e) {
          throw explain(e);
        }
        if (result instanceof Promise) return result.catch((e: unknown) => Promise.reject(explain(e)));
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) return explainPages(result as AsyncIterable<unknown>, explain);
        return result;
      };
    },
  });
}

async function* explainPages<T>(pages: AsyncIterable<T>, explain: (e: unknown) => unknown): AsyncGenerator<T> {
  try {
    yield* pages;
  } catch (e) {
    throw explain(e);
  }
}
