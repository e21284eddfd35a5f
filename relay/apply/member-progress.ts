// Progress of long member work (a snapshot of a big group takes minutes): logged every few seconds with
// the members done so far, the total (as far as it is known), the rate, and where the work is; the session's
// logger carries the group id. `onReport` passes the same figures on (the group status shows them).
import type { Logger } from '../../shared/logging.js';

export interface MemberProgressFigures {
  /** Members checked and, where needed, written or removed. */
  done: number;
  /** Members named so far plus, for a snapshot whose later parts have not come yet, an estimate of theirs. */
  total: number;
  membersAdded: number;
  membersRemoved: number;
  /** Members done per second since the work began. */
  perSecond: number;
  /** 'part 3 of 40', 'removing'. */
  stage: string;
}

export interface MemberProgressOptions {
  log: Logger;
  everyMs: number;
  /** Smaller work is not reported (it is over in seconds). */
  minTotal: number;
  now?: () => number;
  onReport?: (figures: MemberProgressFigures) => void;
}

export class MemberProgress {
  private readonly now: () => number;
  private readonly started: number;
  private lastReport: number;
  private figures: Omit<MemberProgressFigures, 'perSecond'> = { done: 0, total: 0, membersAdded: 0, membersRemoved: 0, stage: '' };

  constructor(private readonly opts: MemberProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.started = this.now();
    this.lastReport = this.started;
  }

  /** Adds to the counts (and replaces total and stage when given); reports when the interval has passed. */
  note(change: Partial<Omit<MemberProgressFigures, 'perSecond'>>): void {
    const f = this.figures;
    this.figures = {
      done: f.done + (change.done ?? 0),
      total: change.total ?? f.total,
      membersAdded: f.membersAdded + (change.membersAdded ?? 0),
      membersRemoved: f.membersRemoved + (change.membersRemoved ?? 0),
      stage: change.stage ?? f.stage,
    };
    const at = this.now();
    if (at - this.lastReport < this.opts.everyMs || Math.max(this.figures.total, this.figures.done) < this.opts.minTotal) return;
    this.lastReport = at;
    const seconds = Math.max(0.001, (at - this.started) / 1000);
    const figures = { ...this.figures, total: Math.max(this.figures.total, this.figures.done), perSecond: Math.round(this.figures.done / seconds) };
    this.opts.log.info(figures, 'member progress');
    this.opts.onReport?.(figures);
  }
}
