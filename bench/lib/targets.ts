import type { SimVendorName } from '../../sim/core';

export const VENDORS: SimVendorName[] = ['tencent', 'kec', 'alibaba', 'cecstack'];

/** Target names as in automation.example.yml. */
export const BENCH_TARGETS: Record<SimVendorName, string> = {
  tencent: 'tencent-prod',
  kec: 'kec-prod',
  alibaba: 'apsara-prod',
  cecstack: 'cecstack-prod',
};

/** The one region each benchmark fleet lives in. */
export const BENCH_REGIONS: Record<SimVendorName, string> = {
  tencent: 'ap-guangzhou',
  kec: 'cn-beijing-6',
  alibaba: 'cn-qingdao-sg-d01',
  cecstack: 'region0',
};
