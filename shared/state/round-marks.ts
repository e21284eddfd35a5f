// What planChanges needs to coalesce pokes, per tenant (rules: shared/app/round/poke-coalescing.ts):
//  - when the last successful round of each kind started: a poke received before was served by it;
//  - per group a delta round read from Graph, when that read started (a poke that names groups is only served
//    by reads of them that started after it); a full or reconcile round read every group and empties this list;
//  - the groups named by pokes waiting for the queued follow-up round, each with when the latest poke naming it
//    was received, and whether that poke is queued.
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';
import { textOf, textProperties } from './text-chunks.js';

/** Entries kept of groupsRead (the newest) and of waiting. Both fit one entity together: a line is at most 55
 *  characters (a GUID and epoch milliseconds), 7,500 lines ~420,000 of the 450,000 characters the text may
 *  take (text-chunks.ts). Keeping fewer groupsRead entries only makes fewer pokes count as served. */
export const MAX_READ_GROUPS = 4_000;
export const MAX_WAITING_GROUPS = 3_500;

export interface RoundMarks {
  /** The last successful delta round over the whole tenant (not one started for named groups only). */
  delta: Date | null;
  /** The last successful full round over the whole tenant. */
  full: Date | null;
  /** The last successful reconcile over the whole tenant. */
  reconcile: Date | null;
  /** Lower-case group id -> when the read of the group by the last successful delta round that read it
   *  started (recording-reader.ts). */
  groupsRead: ReadonlyMap<string, Date>;
  /** Lower-case ids named by pokes that wait for the follow-up round -> when the latest of those pokes was
   *  received; null when not known (stored before the time was kept): such a group is always read again. */
  waiting: ReadonlyMap<string, Date | null>;
  /** A follow-up poke is queued (or its retry is) that runs the round waiting pokes were deferred to. */
  followUpQueued: boolean;
}

export const NO_ROUND_MARKS: RoundMarks = { delta: null, full: null, reconcile: null, groupsRead: new Map(), waiting: new Map(), followUpQueued: false };

const ROW = 'rounds';

function dateOf(value: unknown): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

function epochDate(ms: string | undefined): Date | null {
  if (ms === undefined || ms === '') return null;
  const at = new Date(Number(ms));
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Lines `read <groupId> <epoch ms>` and `wait <groupId> <epoch ms>` (`wait <groupId>` before the time was kept). */
function groupsOf(text: string): Pick<RoundMarks, 'groupsRead' | 'waiting'> {
  const groupsRead = new Map<string, Date>();
  const waiting = new Map<string, Date | null>();
  for (const line of text.split('\n')) {
    const [kind, groupId, ms] = line.split(' ');
    if (!groupId) continue;
    const at = epochDate(ms);
    if (kind === 'wait') waiting.set(groupId, at);
    if (kind === 'read' && at !== null) groupsRead.set(groupId, at);
  }
  return { groupsRead, waiting };
}

export class RoundMarkRepository {
  constructor(private readonly tables: TableStore) {}

  async load(tenantId: string): Promise<RoundMarks> {
    const e = await this.tables.table(TABLES.roundMarks).get(tenantId, ROW);
    if (e === null) return NO_ROUND_MARKS;
    return {
      delta: dateOf(e.properties['deltaStartedAt']),
      full: dateOf(e.properties['fullStartedAt']),
      reconcile: dateOf(e.properties['reconcileStartedAt']),
      ...groupsOf(textOf(e)),
      followUpQueued: e.properties['followUpQueued'] === true,
    };
  }

  /** The caller keeps waiting within MAX_WAITING_GROUPS (past it, a poke runs a round instead of waiting). */
  async save(tenantId: string, marks: RoundMarks): Promise<void> {
    const newest = [...marks.groupsRead].sort((a, b) => b[1].getTime() - a[1].getTime()).slice(0, MAX_READ_GROUPS);
    const lines = [
      ...newest.map(([id, at]) => `read ${id} ${at.getTime()}`),
      ...[...marks.waiting].map(([id, at]) => (at === null ? `wait ${id}` : `wait ${id} ${at.getTime()}`)),
    ];
    const properties = {
      ...(marks.delta === null ? {} : { deltaStartedAt: marks.delta }),
      ...(marks.full === null ? {} : { fullStartedAt: marks.full }),
      ...(marks.reconcile === null ? {} : { reconcileStartedAt: marks.reconcile }),
      followUpQueued: marks.followUpQueued,
      ...textProperties('round marks', lines.join('\n')),
    };
    await this.tables.table(TABLES.roundMarks).upsert({ partitionKey: tenantId, rowKey: ROW, properties }, 'replace');
  }
}
