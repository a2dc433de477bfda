export { createKecClient, capabilities, limits, type KecClient } from './client';
export { ACTIONS, KEC_VERSION, schemas } from './actions';
export * as kecSigner from './signer';
