import { z } from 'zod';

/** detail-type `Auto Delete Warning`: sent once per instance and due time, `warnBefore` ahead. */
export const AUTO_DELETE_WARNING = 'Auto Delete Warning';

export const autoDeleteWarningDetail = z.object({
  vendor: z.string(),
  target: z.string(),
  region: z.string(),
  instanceId: z.string(),
  instanceName: z.string(),
  dueAt: z.string(),
  source: z.enum(['list', 'tag', 'ttl']),
  engine: z.enum(['native', 'emulated']),
  /** The deletion was postponed to `dueAt` by a snooze (tag or config entry). */
  snoozedFrom: z.string().optional(),
});
/** detail-type `Auto Delete Digest`: the scope's warnings grouped per owner, once a day (schema: ../digest.ts). */
export const AUTO_DELETE_DIGEST = 'Auto Delete Digest';
export { warningDigestDetailSchema as autoDeleteDigestDetail } from '../digest';

export type AutoDeleteWarningDetail = z.infer<typeof autoDeleteWarningDetail>;
