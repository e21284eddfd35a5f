// Splitting member lists over consecutive messages so each one's JSON stays under the byte budget. Sizes are
// measured on the JSON text itself (UTF-8 bytes), not estimated per member.
import type { GroupHeader, MemberRef, SnapshotMessage, UpsertMessage } from './model.js';
import { jsonBytes } from './text.js';

interface Envelope {
  tenantId: string;
  groupId: string;
  header: GroupHeader;
}

/** Seq and part numbers are written as the widest possible number while measuring. */
const WIDEST = Number.MAX_SAFE_INTEGER;

/** Where each chunk starts when `count` items are packed in order: `base` bytes of the message without items,
 *  plus each item and its comma. Always at least one chunk (starting at 0). */
function chunkStarts(count: number, measure: (i: number) => number, base: number, budget: number): number[] {
  const starts = [0];
  let size = base;
  for (let i = 0; i < count; i++) {
    const bytes = measure(i) + 1;
    if (i > starts[starts.length - 1]! && size + bytes > budget) {
      starts.push(i);
      size = base;
    }
    if (base + bytes > budget) throw new Error('a single member reference does not fit in a message');
    size += bytes;
  }
  return starts;
}

/** Upserts carrying the header, then removals, then additions; at least one message. */
export function splitUpserts(env: Envelope, firstSeq: number, remove: readonly MemberRef[], add: readonly MemberRef[], budget: number): UpsertMessage[] {
  const empty: UpsertMessage = { v: 1, tenantId: env.tenantId, groupId: env.groupId, seq: WIDEST, kind: 'upsert', header: env.header, add: [], remove: [] };
  // Both arrays present in every message: a removal and an addition each cost the same as measured here.
  const refAt = (i: number): MemberRef => (i < remove.length ? remove[i]! : add[i - remove.length]!);
  const starts = chunkStarts(remove.length + add.length, (i) => jsonBytes(refAt(i)), jsonBytes(empty), budget);
  return starts.map((start, i) => {
    const end = starts[i + 1] ?? remove.length + add.length;
    return {
      ...empty,
      seq: firstSeq + i,
      remove: remove.slice(Math.min(start, remove.length), Math.min(end, remove.length)),
      add: add.slice(Math.max(start - remove.length, 0), Math.max(end - remove.length, 0)),
    };
  });
}

/** Deterministic, so a replanned snapshot has the same id (and messageIds) as the one it replays. */
export function snapshotIdFor(groupId: string, firstSeq: number): string {
  return `${groupId}:${firstSeq}`;
}

/** A complete member list, read reference by reference (a big group's are not all made at once). */
export interface MemberRefs {
  readonly length: number;
  refAt(i: number): MemberRef;
}

export const refsOf = (refs: readonly MemberRef[]): MemberRefs => ({ length: refs.length, refAt: (i) => refs[i]! });

/**
 * The complete member list as snapshot parts on consecutive seqs; an empty list is one empty part. The parts
 * are cut by measuring each reference once, as it comes; a part's `members` array is made each time it is
 * read and not kept, so a 1,000,000-member group's parts (130 MiB of JSON) are never all in memory: the
 * guard, the contract check and the send each read one part at a time and let it go.
 */
export function splitSnapshot(env: Envelope, firstSeq: number, members: MemberRefs, budget: number): SnapshotMessage[] {
  const snapshotId = snapshotIdFor(env.groupId, firstSeq);
  const empty = { v: 1 as const, tenantId: env.tenantId, groupId: env.groupId, seq: WIDEST, kind: 'snapshot' as const, header: env.header, snapshotId, part: WIDEST, parts: WIDEST };
  const starts = chunkStarts(members.length, (i) => jsonBytes(members.refAt(i)), jsonBytes({ ...empty, members: [] }), budget);
  return starts.map((start, i) => {
    const end = starts[i + 1] ?? members.length;
    const part = { ...empty, seq: firstSeq + i, part: i + 1, parts: starts.length };
    return Object.defineProperty(part, 'members', {
      enumerable: true,
      get: (): MemberRef[] => Array.from({ length: end - start }, (_, k) => members.refAt(start + k)),
    }) as SnapshotMessage;
  });
}
