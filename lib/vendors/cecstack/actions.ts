import type { z } from 'zod';
import type { HttpMethod } from '../core';
import type { PagingStyle } from './paging';
import * as s from './schemas';

/**
 * Every CECSTACK action the client uses, described as data (design §9): method, path, side
 * (tenant `{{host}}` or operator `{{omphost}}`), mutating, paging style and response schema.
 * Line numbers are the "URL 格式" lines of seed 003. No rate limits are documented.
 */
export interface ActionSpec<T = unknown> {
  method: HttpMethod;
  path: (id?: string) => string;
  side: 'tenant' | 'operator';
  mutating: boolean;
  schema: z.ZodType<T>;
  paging?: PagingStyle;
  /** Most ids per batch call (undocumented: our decision, DECISIONS.md D6). */
  batch?: number;
}

const at = (prefix: string, suffix = '') => (id?: string) => `${prefix}/${encodeURIComponent(id ?? '')}${suffix}`;
const fixed = (path: string) => () => path;

function action<T>(spec: ActionSpec<T>): ActionSpec<T> {
  return spec;
}

export const ACTIONS = {
  // instances
  ListInstances: action({ method: 'GET', path: fixed('/instances'), side: 'tenant', mutating: false, schema: s.instanceList, paging: 'pageNumber' }), // L6007
  GetInstance: action({ method: 'GET', path: at('/instances'), side: 'tenant', mutating: false, schema: s.vm }), // L5654
  DeleteInstance: action({ method: 'DELETE', path: at('/instances'), side: 'tenant', mutating: true, schema: s.nothing }), // L5557
  BatchDeleteInstances: action({ method: 'DELETE', path: fixed('/instances/batch-delete'), side: 'tenant', mutating: true, schema: s.nothing, batch: 50 }), // L5605
  StopInstance: action({ method: 'PUT', path: at('/instances', '/stop'), side: 'tenant', mutating: true, schema: s.nothing }), // L6706
  BatchStopInstances: action({ method: 'PUT', path: fixed('/instances/batch-stop'), side: 'tenant', mutating: true, schema: s.nothing, batch: 50 }), // L6775
  SetLabels: action({ method: 'PUT', path: at('/instances', '/label'), side: 'tenant', mutating: true, schema: s.nothing }), // L7434
  ListRegions: action({ method: 'POST', path: fixed('/service-region-info'), side: 'tenant', mutating: false, schema: s.regionInfo }), // L13982
  // renewal and prices
  RenewResources: action({ method: 'POST', path: at('/instances', '/renew-resources'), side: 'tenant', mutating: false, schema: s.renewResources }), // L6404
  Renew: action({ method: 'POST', path: at('/instances', '/renew'), side: 'tenant', mutating: true, schema: s.nothing }), // L6526
  QueryPrice: action({ method: 'POST', path: fixed('/flavors/query-price'), side: 'tenant', mutating: false, schema: s.queryPrice }), // L8467
  // snapshots
  ListSnapshots: action({ method: 'GET', path: fixed('/snapshot'), side: 'tenant', mutating: false, schema: s.snapshotList, paging: 'pageNumber' }), // L10801
  CreateSnapshot: action({ method: 'POST', path: fixed('/snapshot'), side: 'tenant', mutating: true, schema: s.nothing }), // L10900
  GetSnapshot: action({ method: 'GET', path: at('/snapshot'), side: 'tenant', mutating: false, schema: s.snapshotList }), // L10950
  DeleteSnapshot: action({ method: 'DELETE', path: at('/snapshot'), side: 'tenant', mutating: true, schema: s.nothing }), // L11053
  // auto-snapshot policies
  ListPolicies: action({ method: 'GET', path: fixed('/policy'), side: 'tenant', mutating: false, schema: s.policyList, paging: 'pageNumber' }), // L11151
  CreatePolicy: action({ method: 'PUT', path: fixed('/policy'), side: 'tenant', mutating: true, schema: s.nothing }), // L11254
  GetPolicy: action({ method: 'POST', path: at('/policy'), side: 'tenant', mutating: false, schema: s.policyList }), // L11310
  ModifyPolicy: action({ method: 'POST', path: at('/policy'), side: 'tenant', mutating: true, schema: s.nothing }), // L11451
  DeletePolicy: action({ method: 'DELETE', path: at('/policy'), side: 'tenant', mutating: true, schema: s.nothing }), // L11404
  BindPolicy: action({ method: 'GET', path: at('/policy', '/bind'), side: 'tenant', mutating: true, schema: s.nothing }), // L11511
  UnbindPolicy: action({ method: 'POST', path: at('/policy', '/unbind'), side: 'tenant', mutating: true, schema: s.nothing }), // L11565
  PausePolicy: action({ method: 'POST', path: at('/policy', '/pause'), side: 'tenant', mutating: true, schema: s.nothing }), // L11621
  ResumePolicy: action({ method: 'POST', path: at('/policy', '/resume'), side: 'tenant', mutating: true, schema: s.nothing }), // L11669
  // recycle bin
  ListRecycle: action({ method: 'GET', path: fixed('/recycle'), side: 'tenant', mutating: false, schema: s.recyclePage, paging: 'current' }), // L13092
  RestoreRecycledSnapshot: action({ method: 'PUT', path: at('/recycle/snapshot'), side: 'tenant', mutating: true, schema: s.nothing }), // L13199
  PurgeRecycledSnapshot: action({ method: 'DELETE', path: at('/recycle/snapshot'), side: 'tenant', mutating: true, schema: s.nothing }), // L13254
  GetRecycledInstance: action({ method: 'GET', path: at('/recycle/instances'), side: 'tenant', mutating: false, schema: s.recycledInstance }), // L13303
  RestoreRecycledInstance: action({ method: 'PUT', path: at('/recycle/instances'), side: 'tenant', mutating: true, schema: s.nothing }), // L13450
  PurgeRecycledInstance: action({ method: 'DELETE', path: at('/recycle/instances'), side: 'tenant', mutating: true, schema: s.nothing }), // L13501
  AutoClean: action({ method: 'POST', path: fixed('/res-life-cycle/auto-clean'), side: 'tenant', mutating: true, schema: s.nothing }), // L13553
  GetRecycleConfig: action({ method: 'GET', path: fixed('/instances/recycle-config'), side: 'operator', mutating: false, schema: s.recycleConfig }), // L4232
} as const;

export type ActionName = keyof typeof ACTIONS;
export type ActionData<A extends ActionName> = (typeof ACTIONS)[A] extends ActionSpec<infer T> ? T : never;

/** Documented page size limits: none are given (samples use 10, tables say default 20); 100 is our decision (D5). */
export const PAGE_SIZE = 100;
