export { createAlibabaClient, capabilities, limits, type AlibabaClient } from './client';
export { percentEncode, canonicalizedQuery, stringToSign, signV1 } from './signer';
export { buildRequest, flattenParams, parseEnvelope, clientToken, endpointUrl, jsonArray, commaList, indexed, VERSION, type Params } from './codec';
export { ACTIONS, schemas, TAG_LIMITS } from './actions';
export { toVendorSchedule, fromVendorSchedule } from './mapping';
