// A complete member list planned (a new, restored or resynced group): each distinct member's entry kept as one
// byte next to the compact list (./member-list.ts), entries and references made one at a time when read. A
// 1,000,000-member group's entries and references as objects would be ~200 MiB; the snapshot parts
// (./split.ts), the member entry rows and the deletion guard read them from here instead, one by one.
import type { MemberIdentityList } from './member-list.js';
import { MEMBER_SKIP_REASONS, resolveMember, type MemberEntry, type NestedGroupWritten } from './members.js';
import type { MemberRef } from './model.js';
import { emptySkipped, type MemberEntryList, type SkippedMembers } from './planned-state.js';
import type { TenantSettings } from './settings.js';
import { updateSkipped } from './skipped-members.js';
import type { SortedIds } from './sorted-ids.js';
import type { MemberRefs } from './split.js';

/** Outcome byte of a member with a reference; a skipped member's is 1 + its reason's index. */
const REFERENCED = 0;
/** A referenced member's outcome says its nested cloud group (if it is one) is written back. */
const WRITTEN: NestedGroupWritten = () => true;

export class PlannedMembers implements MemberEntryList, MemberRefs {
  private constructor(
    private readonly list: MemberIdentityList,
    private readonly settings: TenantSettings,
    /** Per list position (distinct members only). */
    private readonly outcomes: Uint8Array,
    /** The distinct members in id order. */
    private readonly inIdOrderPositions: Int32Array,
    /** The members with a reference, in list order: the snapshot's members. */
    private readonly referenced: Int32Array,
    readonly skipped: SkippedMembers,
  ) {}

  /** Resolves each distinct member once (a member listed twice counts at its first position). */
  static plan(list: MemberIdentityList, nestedWritten: NestedGroupWritten, settings: TenantSettings): PlannedMembers {
    const { inListOrder, inIdOrder } = list.distinct();
    const outcomes = new Uint8Array(list.size);
    let refs = 0;
    for (const i of inListOrder) {
      const entry = resolveMember(list.idAt(i), list.identityAt(i), nestedWritten, settings);
      outcomes[i] = entry.skip === null ? REFERENCED : 1 + MEMBER_SKIP_REASONS.indexOf(entry.skip);
      if (entry.skip === null) refs++;
    }
    const referenced = new Int32Array(refs);
    let r = 0;
    for (const i of inListOrder) if (outcomes[i] === REFERENCED) referenced[r++] = i;
    function* skippedEntries(): Generator<MemberEntry> {
      for (const i of inListOrder) if (outcomes[i] !== REFERENCED) yield { cloudId: list.idAt(i), ref: null, skip: MEMBER_SKIP_REASONS[outcomes[i]! - 1]! };
    }
    return new PlannedMembers(list, settings, outcomes, inIdOrder, referenced, updateSkipped(emptySkipped(), [], skippedEntries()));
  }

  /** Distinct members (entries). */
  get size(): number {
    return this.inIdOrderPositions.length;
  }

  /** Members with a reference (the snapshot's). */
  get length(): number {
    return this.referenced.length;
  }

  private entryAt(i: number): MemberEntry {
    const outcome = this.outcomes[i]!;
    const id = this.list.idAt(i);
    if (outcome !== REFERENCED) return { cloudId: id, ref: null, skip: MEMBER_SKIP_REASONS[outcome - 1]! };
    return resolveMember(id, this.list.identityAt(i), WRITTEN, this.settings);
  }

  /** The snapshot's i-th member reference, in list order. */
  refAt(k: number): MemberRef {
    const ref = this.entryAt(this.referenced[k]!).ref;
    if (ref === null) throw new RangeError(`no member reference at ${k}`);
    return ref;
  }

  *inIdOrder(): Generator<MemberEntry> {
    for (const i of this.inIdOrderPositions) yield this.entryAt(i);
  }

  /** The cloud ids of the members with a reference, in id order. */
  refIds(): SortedIds {
    const { list, outcomes, inIdOrderPositions } = this;
    return {
      size: this.referenced.length,
      sorted: true,
      *[Symbol.iterator]() {
        for (const i of inIdOrderPositions) if (outcomes[i] === REFERENCED) yield list.idAt(i);
      },
    };
  }
}
