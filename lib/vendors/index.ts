import { vendorSettings, type ClientOptions, type Credentials, type Transport, type VendorClient, type VendorName } from './core';

export * from './core';

/** Everything needed to build one target's client; the settings are parsed by the vendor's own schema. */
export interface ClientSpec {
  vendor: VendorName;
  target: string;
  endpoint?: string;
  credentials: Credentials;
  operatorCredentials?: Credentials;
  transport: Transport;
  settings?: unknown;
  /** ClientOptions.credentialSettings. */
  credentialSettings?: string;
  /** Business time (ClientOptions.now). */
  now?: () => number;
}

/** Builds one target's client, once its vendor's module is loaded (`loadVendorClient`). */
export type VendorClientFactory = (spec: ClientSpec) => VendorClient;

function common(spec: ClientSpec) {
  return {
    target: spec.target,
    endpoint: spec.endpoint,
    credentials: spec.credentials,
    operatorCredentials: spec.operatorCredentials,
    transport: spec.transport,
    credentialSettings: spec.credentialSettings,
    now: spec.now,
  };
}

/**
 * The one place a vendor name picks an implementation; everything past it reads `capabilities`.
 * Each vendor's client is imported when a target of that vendor is first used, so a function
 * loads only the vendors its config names (cold start: bench/README.md).
 */
const loaders: Record<VendorName, () => Promise<VendorClientFactory>> = {
  tencent: async () => {
    const { createTencentClient } = await import('./tencent');
    return (spec) => createTencentClient({ ...common(spec), settings: vendorSettings.tencent.parse(spec.settings ?? {}) });
  },
  kec: async () => {
    const { createKecClient } = await import('./kec');
    return (spec) => createKecClient({ ...common(spec), settings: vendorSettings.kec.parse(spec.settings ?? {}) });
  },
  alibaba: async () => {
    const { createAlibabaClient } = await import('./alibaba');
    return (spec) => createAlibabaClient({ ...common(spec), settings: vendorSettings.alibaba.parse(spec.settings ?? {}) });
  },
  cecstack: async () => {
    const { createCecstackClient } = await import('./cecstack');
    return (spec) => createCecstackClient({ ...common(spec), settings: vendorSettings.cecstack.parse(spec.settings ?? {}) } as ClientOptions<never>);
  },
};

const loaded = new Map<VendorName, Promise<VendorClientFactory>>();

/** Loads a vendor's client module (once per process) and returns its factory. */
export function loadVendorClient(vendor: VendorName): Promise<VendorClientFactory> {
  const loader = loaders[vendor];
  if (!loader) return Promise.reject(new Error(`unknown vendor "${vendor}": use one of ${Object.keys(loaders).join(', ')}`));
  let factory = loaded.get(vendor);
  if (!factory) {
    factory = loader();
    loaded.set(vendor, factory);
  }
  return factory;
}

/** Builds a client, loading its vendor's module first. */
export async function createVendorClient(spec: ClientSpec): Promise<VendorClient> {
  return (await loadVendorClient(spec.vendor))(spec);
}
