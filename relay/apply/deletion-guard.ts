// AD-side accidental-delete protection (AADC only guards deletes exported to the cloud): more than
// `maxDeletes` group deletions within a sliding window, and further deletions are held for an admin.
// The count lives in this process (a restart starts a fresh window; documented in docs/relay.md).

export interface DeletionThreshold {
  maxDeletes: number;
  windowMinutes: number;
}

export class DeletionGuard {
  private readonly applied: number[] = [];

  constructor(private readonly threshold: DeletionThreshold) {}

  private prune(nowMs: number): void {
    const from = nowMs - this.threshold.windowMinutes * 60_000;
    while (this.applied.length > 0 && this.applied[0]! <= from) this.applied.shift();
  }

  /** Reserves one deletion at `nowMs`; false when the window is full (the deletion must be held). */
  tryReserve(nowMs: number): boolean {
    this.prune(nowMs);
    if (this.applied.length >= this.threshold.maxDeletes) return false;
    this.applied.push(nowMs);
    return true;
  }

  /** Counts a deletion an admin approved: it may exceed the threshold, but fills the window like any other. */
  recordApproved(nowMs: number): void {
    this.prune(nowMs);
    this.applied.push(nowMs);
  }

  /** Gives a reservation back (the deletion was not applied after all). */
  release(nowMs: number): void {
    const i = this.applied.lastIndexOf(nowMs);
    if (i >= 0) this.applied.splice(i, 1);
  }

  /** Deletions counted in the window ending at `nowMs`. */
  count(nowMs: number): number {
    this.prune(nowMs);
    return this.applied.length;
  }
}
