export { createTencentClient, capabilities, limits, splitFilters, CURRENCY, type TencentClient } from './client';
export { legacySign, legacyStringToSign, tc3Signature, parseTc3Authorization } from './signer';
export { flattenParams, buildRequest, parseEnvelope, VERSION, SERVICE } from './codec';
export { ACTIONS, schemas, FILTER_LIMITS } from './actions';
