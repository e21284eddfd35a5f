// Member errors kept for a result: results stay far below the 256 KB message limit even when every member
// of a big change fails, and a snapshot of a million members that do not exist holds 200 errors per part,
// not a million. The count of the rest is kept and reported as one entry.
import type { MemberError } from '../../shared/contracts/result-message.js';

/** The most entries one result lists (the last one says how many more there were). */
export const MAX_MEMBER_ERRORS = 200;
const MAX_MEMBER_ERROR_TEXT = 500;

export class MemberErrorTally {
  private readonly kept: MemberError[] = [];
  private more = 0;

  get count(): number {
    return this.kept.length + this.more;
  }

  push(errors: Iterable<MemberError>): void {
    for (const e of errors) {
      if (this.kept.length < MAX_MEMBER_ERRORS) this.kept.push({ ...e, message: e.message.slice(0, MAX_MEMBER_ERROR_TEXT) });
      else this.more += 1;
    }
  }

  /** At most MAX_MEMBER_ERRORS entries: all of them, or the first ones and how many more. */
  list(): MemberError[] {
    if (this.more === 0) return [...this.kept];
    const listed = this.kept.slice(0, MAX_MEMBER_ERRORS - 1);
    const notListed = this.count - listed.length;
    return [...listed, { member: '*', code: 'MoreMemberErrors', message: `${notListed} more member errors are not listed (see the relay log)` }];
  }
}

/** `errors` bounded as a result carries them (applying it again changes nothing). */
export function boundedErrors(errors: readonly MemberError[]): MemberError[] {
  const tally = new MemberErrorTally();
  tally.push(errors);
  return tally.list();
}
