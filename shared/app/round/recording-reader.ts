// A round's directory reader that records when it read each group, for poke coalescing (poke-coalescing.ts).
// A group read by id: the start of the first readGroups call that named it (the round plans its properties and
// writebackConfiguration from that read, so it saw every change made before the call began). A group the delta
// listed but the round did not read by id (a deletion): the start of the delta enumeration. What delta carries
// of a group read by id may come from pages requested before that read: the coalescing rules ask for a later
// delta enumeration as well, so the time recorded here speaks only for what the read by id returns.
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
    readGroups(groupIds) {
      const startedAt = now();
      for (const id of groupIds) if (!readAt.has(normaliseId(id))) readAt.set(normaliseId(id), startedAt);
      return directory.readGroups(groupIds);
    },
    deletedGroups: (groupIds) => directory.deletedGroups(groupIds),
    groupMembers: (groupId) => directory.groupMembers(groupId),
    groupMemberIdentities: (groupId, expected) => directory.groupMemberIdentities(groupId, expected),
    memberIdentities: (members) => directory.memberIdentities(members),
    unifiedGroupWritebackDefault: () => directory.unifiedGroupWritebackDefault(),
  };
  return { reader, groupsRead: () => new Map([...listedAt, ...readAt]) };
}
