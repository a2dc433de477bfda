import { z } from 'zod';

/** detail-type `Recycle Bin Purge Warning`: once per item and purge time, `warnBefore` ahead of the purge. */
export const RECYCLE_BIN_PURGE_WARNING = 'Recycle Bin Purge Warning';

/** detail-type `Recycle Bin Purge Digest`: the scope's purge warnings grouped per owner, once a day (schema: ../digest.ts). */
export const RECYCLE_BIN_PURGE_DIGEST = 'Recycle Bin Purge Digest';
export { warningDigestDetailSchema as recycleBinPurgeDigestDetail } from '../digest';

export const recycleBinPurgeWarningDetail = z.object({
  vendor: z.string(),
  target: z.string(),
  region: z.string(),
  resourceId: z.string(),
  kind: z.enum(['instance', 'snapshot']),
  purgeAt: z.string(),
  purgeAtSource: z.string(),
  policyAction: z.enum(['leave', 'purge', 'restore']),
});
