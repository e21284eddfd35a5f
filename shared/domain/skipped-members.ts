// How many members of a group were skipped, per reason, and a sample of them (the group status shows both),
// kept up to date as member entries come and go.
import { SKIPPED_MEMBER_SAMPLE } from './limits.js';
import type { MemberEntry, MemberSkipReason } from './members.js';
import type { SkippedMembers } from './planned-state.js';

/** Counts stay exact; the sample drops members that left or were resolved and takes new ones up to its size. */
export function updateSkipped(prev: SkippedMembers, gone: readonly MemberEntry[], added: Iterable<MemberEntry>): SkippedMembers {
  const counts = new Map<MemberSkipReason, number>(Object.entries(prev.counts) as [MemberSkipReason, number][]);
  const bump = (r: MemberSkipReason, by: number): void => {
    counts.set(r, (counts.get(r) ?? 0) + by);
  };
  const goneIds = new Set<string>();
  for (const e of gone) {
    goneIds.add(e.cloudId);
    if (e.skip) bump(e.skip, -1);
  }
  const sample = prev.sample.filter((s) => !goneIds.has(s.member));
  for (const e of added) {
    if (!e.skip) continue;
    bump(e.skip, 1);
    if (sample.length < SKIPPED_MEMBER_SAMPLE) sample.push({ member: e.cloudId, reason: e.skip });
  }
  const positive = [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  return { counts: Object.fromEntries(positive), sample };
}

