import { createAlibabaClient } from './alibaba';
import { createCecstackClient } from './cecstack';
import { vendorSettings, type ClientOptions, type Credentials, type Transport, type VendorClient, type VendorName } from './core';
import { createKecClient } from './kec';
import { createTencentClient } from './tencent';

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
  /** Business time (ClientOptions.now). */
  now?: () => number;
}

/** The one place a vendor name picks an implementation; everything past it reads `capabilities`. */
export function createVendorClient(spec: ClientSpec): VendorClient {
  const common = {
    target: spec.target,
    endpoint: spec.endpoint,
    credentials: spec.credentials,
    operatorCredentials: spec.operatorCredentials,
    transport: spec.transport,
    now: spec.now,
  };
  switch (spec.vendor) {
    case 'tencent':
      return createTencentClient({ ...common, settings: vendorSettings.tencent.parse(spec.settings ?? {}) });
    case 'kec':
      return createKecClient({ ...common, settings: vendorSettings.kec.parse(spec.settings ?? {}) });
    case 'alibaba':
      return createAlibabaClient({ ...common, settings: vendorSettings.alibaba.parse(spec.settings ?? {}) });
    case 'cecstack':
      return createCecstackClient({ ...common, settings: vendorSettings.cecstack.parse(spec.settings ?? {}) } as ClientOptions<never>);
  }
}
