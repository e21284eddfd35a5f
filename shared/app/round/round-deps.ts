// What a delta round works with: the tenant, Graph reads, planner state, the writeback queue, statuses.
// One type for the whole round (runDeltaRound) and each of its chunks (planChunk).
import type { Logger } from '../../logging.js';
import type { DirectoryReader } from '../../ports/directory.js';
import type { QueueSender } from '../../ports/queue.js';
import type { GroupStatusStore } from '../../state/group-status-record.js';
import type { PlannerStore } from '../../state/planner-store.js';

export interface DeltaRoundDeps {
  tenantId: string;
  directory: DirectoryReader;
  store: PlannerStore;
  writeback: QueueSender;
  /** The graph-changes queue: the round schedules its own recheck of groups it could not find. */
  pokes: QueueSender;
  statuses: GroupStatusStore;
  log: Logger;
  now: () => Date;
  /** Groups planned, sent and saved together: bounds memory and what a crash makes the next round redo. */
  chunkSize?: number;
}
