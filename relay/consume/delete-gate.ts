// The deletion threshold, asked right before a group is deleted: an approved (released) held deletion
// passes and is counted; any other takes a reservation from the guard, given back if nothing was deleted.
import type { ReceivedMessage } from '../../shared/ports/queue.js';
import type { DeleteGate } from '../apply/apply-delete.js';
import type { DeletionGuard } from '../apply/deletion-guard.js';

/** Application property an approved (released) held deletion carries: it passes the deletion threshold. */
export const DELETION_APPROVED_PROPERTY = 'deletionApproved';

export function deleteGate(received: ReceivedMessage, guard: DeletionGuard, at: number): DeleteGate {
  const approved = received.applicationProperties[DELETION_APPROVED_PROPERTY] === true;
  return {
    mayDelete: () => {
      if (approved) {
        guard.recordApproved(at);
        return true;
      }
      return guard.tryReserve(at);
    },
    notDeleted: () => guard.release(at),
  };
}
