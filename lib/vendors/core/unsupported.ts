import type { VendorName } from './model';

/** A method behind an `unsupported` capability was called: the automation should have read `capabilities`. */
export class UnsupportedCapability extends Error {
  constructor(vendor: VendorName, capability: string) {
    super(`${vendor} does not support ${capability}`);
    this.name = 'UnsupportedCapability';
  }
}
