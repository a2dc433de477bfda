import type { CecstackSettings, ClientOptions } from '../core';
import { CecstackClient, type CecstackClientExtras } from './client';

export { CecstackClient, capabilities, limits, type CecstackClientExtras } from './client';
export { configuredSigner, AK_HEADER_REMOVED, SignerConfigError, type CecstackSigner, type CecstackSignerModule, type SignableRequest } from './signer';
export { buildFilter, type FilterClause } from './filter';
export { ACTIONS, PAGE_SIZE } from './actions';

export function createCecstackClient(options: ClientOptions<CecstackSettings>, extras?: CecstackClientExtras): CecstackClient {
  return new CecstackClient(options, extras);
}
