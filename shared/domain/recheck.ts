// Unknown is not gone. A planned group that Graph does not return (read 404, not in deleted items) while
// delta gave no deletion notice (`@removed` reason `deleted`) may be replication lag or a transient fault:
// its AD object (whose SID file shares may name) must not be deleted on that. Nothing is sent for it; it is
// checked again with backoff, and only consistent "gone" answers over a long time confirm the deletion
// (docs/planner.md, "Unknown is not gone"). Pure: the caller passes the time.

export interface RecheckEntry {
  groupId: string;
  /** When the group was first found gone (ISO 8601). */
  since: string;
  /** "Gone" answers counted: the first one and one per check that was due. */
  checks: number;
  /** When the next check is due (ISO 8601); a scheduled poke starts a round then. */
  nextAt: string;
  /** Crash recovery carried over from the round journal: messages up to this seq may have been sent (0: none). */
  repairAfterSeq: number;
}

/** Replication lag is seconds: the first look again comes soon, later ones back off. */
export const RECHECK_FIRST_DELAY_MS = 15_000;
export const RECHECK_MAX_DELAY_MS = 30 * 60_000;
/** Both must hold before "gone" becomes "deleted": this many answers, the first at least this long ago. */
export const CONFIRM_GONE_CHECKS = 5;
export const CONFIRM_GONE_AFTER_MS = 60 * 60_000;
/** A scheduled poke may start its round a little before the time it was set for. */
const DUE_SLACK_MS = 5_000;

export type GoneVerdict =
  /** Consistently gone long enough: plan the group as permanently deleted. */
  | { kind: 'deleted' }
  /** Still unknown. `counted`: this answer was counted (new or due), so the status and the next check change;
   *  `changed`: the entry differs from the stored one. */
  | { kind: 'unknown'; entry: RecheckEntry; counted: boolean; changed: boolean };

function delayAfter(checks: number): number {
  return Math.min(RECHECK_FIRST_DELAY_MS * 2 ** Math.max(0, checks - 1), RECHECK_MAX_DELAY_MS);
}

/** The verdict on a group found gone again, given its entry on the recheck list (if any). */
export function judgeGone(groupId: string, entry: RecheckEntry | undefined, now: Date, repairAfterSeq: number): GoneVerdict {
  const at = now.getTime();
  if (entry === undefined) {
    const fresh = { groupId, since: now.toISOString(), checks: 1, nextAt: new Date(at + delayAfter(1)).toISOString(), repairAfterSeq };
    return { kind: 'unknown', entry: fresh, counted: true, changed: true };
  }
  const repair = Math.max(entry.repairAfterSeq, repairAfterSeq);
  if (Date.parse(entry.nextAt) > at + DUE_SLACK_MS) {
    return { kind: 'unknown', entry: { ...entry, repairAfterSeq: repair }, counted: false, changed: repair !== entry.repairAfterSeq };
  }
  const checks = entry.checks + 1;
  if (checks >= CONFIRM_GONE_CHECKS && at - Date.parse(entry.since) >= CONFIRM_GONE_AFTER_MS) return { kind: 'deleted' };
  const next = { ...entry, checks, nextAt: new Date(at + delayAfter(checks)).toISOString(), repairAfterSeq: repair };
  return { kind: 'unknown', entry: next, counted: true, changed: true };
}

/** The group status' reason while a group is unknown. */
export function unknownReason(entry: RecheckEntry): string {
  return (
    `not found in the cloud (nor in deleted items), no deletion notice: nothing is sent until it is found or its ` +
    `deletion confirmed; gone in ${entry.checks} check(s) since ${entry.since}, next check ${entry.nextAt}`
  );
}
