import type { NoticeAction } from './engine/types';
import { UNDO } from './undo';

/** What a notice about one instance says beyond the instance itself. */
export type InstanceNoticeFields = Pick<NoticeAction, 'action' | 'reason' | 'slot' | 'event'> & Pick<NoticeAction, 'before' | 'expected'>;

/** A notice about one instance: it changes nothing at the vendor, so it is never destructive, has nothing to undo and waits for no other action (engine E8). */
export function instanceNotice(inst: { id: string; name?: string }, fields: InstanceNoticeFields): NoticeAction {
  return {
    kind: 'notice',
    undoHint: UNDO.notice,
    resourceId: inst.id,
    resourceKind: 'instance',
    resourceName: inst.name,
    destructive: false,
    sideBySide: true,
    ...fields,
  };
}
