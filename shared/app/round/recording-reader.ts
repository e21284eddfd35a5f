// A round's directory reader that records when it read each group, for poke coalescing (poke-coalescing.ts).
// A group read by id: when the request of the first readGroups call that read it was sent (the $batch it was
// in; the call's start when the reader does not say), so the read saw every change made before. A group the
// delta listed but the round did not read by id (a deletion): the start of the delta enumeration, since what a
// later page shows of changes made while the pages are read is not documented. What delta carries of a group
// read by id may come from pages requested before that read: the coalescing rules ask for a later delta
// enumeration as well, so the time recorded here speaks only for what the read by id returns.
import type { DeltaGroupItem } from '../../domain/delta-merge.js';
import { normaliseId } from '../../domain/ids.js';
import type { DirectoryReader } from '../../ports/directory.js';

export interface RecordingReader {
  reader: DirectoryReader;
  /** Lower-case group id -> when the round's read of it started. */
  groupsRead(): Map<string, Date>;
}

export function recordingReader(directory: DirectoryReader, now: () => Date): RecordingReader {
  const listedAt = new Map<string, Date>();
  const readAt = new Map<string, Date>();
  const reader: DirectoryReader = {
    groupsDelta(deltaLink, onPage) {
      const startedAt = now();
      return directory.groupsDelta(deltaLink, (items: DeltaGroupItem[]) => {
        for (const item of items) if (!listedAt.has(normaliseId(item.id))) listedAt.set(normaliseId(item.id), startedAt);
        return onPage(items);
      });
    },
    readGroups(groupIds, onRequest) {
      // Only this call's first reads are recorded; a request's time replaces the call's start for them.
      const first = new Set(groupIds.map(normaliseId).filter((id) => !readAt.has(id)));
      const startedAt = now();
      for (const id of first) readAt.set(id, startedAt);
      return directory.readGroups(groupIds, (ids) => {
        const sentAt = now();
        for (const id of ids.map(normaliseId)) if (first.has(id)) readAt.set(id, sentAt);
        onRequest?.(ids);
      });
    },
    deletedGroups: (groupIds) => directory.deletedGroups(groupIds),
    groupMembers: (groupId) => directory.groupMembers(groupId),
    groupMemberIdentities: (groupId, expected) => directory.groupMemberIdentities(groupId, expected),
    memberIdentities: (members) => directory.memberIdentities(members),
    unifiedGroupWritebackDefault: () => directory.unifiedGroupWritebackDefault(),
  };
  return { reader, groupsRead: () => new Map([...listedAt, ...readAt]) };
}
