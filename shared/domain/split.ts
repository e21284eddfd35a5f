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

/** Packs items into chunks: `base` bytes of the message without items, plus each item and its comma. */
function pack<T>(items: readonly T[], measure: (item: T) => number, base: number, budget: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = base;
  for (const item of items) {
    const bytes = measure(item) + 1;
    if (current.length > 0 && size + bytes > budget) {
      chunks.push(current);
      current = [];
      size = base;
    }
    if (base + bytes > budget) throw new Error('a single member reference does not fit in a message');
    current.push(item);
    size += bytes;
  }
  chunks.push(current);
  return chunks;
}

/** Upserts carrying the header, then removals, then additions; at least one message. */
export function splitUpserts(env: Envelope, firstSeq: number, remove: readonly MemberRef[], add: readonly MemberRef[], budget: number): UpsertMessage[] {
  const empty: UpsertMessage = { v: 1, tenantId: env.tenantId, groupId: env.groupId, seq: WIDEST, kind: 'upsert', header: env.header, add: [], remove: [] };
  // Both arrays present in every message: a removal and an addition each cost the same as measured here.
  const base = jsonBytes(empty);
  const tagged = [...remove.map((r) => ({ op: 'remove' as const, r })), ...add.map((r) => ({ op: 'add' as const, r }))];
  const chunks = pack(tagged, (t) => jsonBytes(t.r), base, budget);
  return chunks.map((chunk, i) => ({
    ...empty,
    seq: firstSeq + i,
    remove: chunk.filter((c) => c.op === 'remove').map((c) => c.r),
    add: chunk.filter((c) => c.op === 'add').map((c) => c.r),
  }));
}

/** Deterministic, so a replanned snapshot has the same id (and messageIds) as the one it replays. */
export function snapshotIdFor(groupId: string, firstSeq: number): string {
  return `${groupId}:${firstSeq}`;
}

/** The complete member list as snapshot parts on consecutive seqs; an empty list is one empty part. */
export function splitSnapshot(env: Envelope, firstSeq: number, members: readonly MemberRef[], budget: number): SnapshotMessage[] {
  const snapshotId = snapshotIdFor(env.groupId, firstSeq);
  const empty: SnapshotMessage = {
    v: 1,
    tenantId: env.tenantId,
    groupId: env.groupId,
    seq: WIDEST,
    kind: 'snapshot',
    header: env.header,
    snapshotId,
    part: WIDEST,
    parts: WIDEST,
    members: [],
  };
  const chunks = pack(members, jsonBytes, jsonBytes(empty), budget);
  return chunks.map((chunk, i) => ({ ...empty, seq: firstSeq + i, part: i + 1, parts: chunks.length, members: chunk }));
}
