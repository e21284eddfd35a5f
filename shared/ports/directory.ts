// The directory reader port: what a delta round reads from Microsoft Graph. Implemented by
// shared/adapters/graph/directory.ts (real Graph, or the dev/ simulator through the same client).
import type { DeltaGroupItem } from '../domain/delta-merge.js';
import type { MemberIdentityList } from '../domain/member-list.js';
import type { CloudGroup, MemberIdentity } from '../domain/model.js';

export type DeltaRoundOutcome =
  /** The round ended with this deltaLink (the token for the next round). */
  | { kind: 'complete'; deltaLink: string; pages: number; items: number }
  /** Graph refused the token (410 Gone, syncStateNotFound, resyncRequired): start a full round. */
  | { kind: 'resetRequired'; reason: string };

/** What a read of one group returns: its current properties, or the fact that it is not there. */
export type GroupRead = { kind: 'found'; group: CloudGroup } | { kind: 'notFound' };

/** A member id with the object type Graph named, when it did ('user', 'group', 'device', 'servicePrincipal'...). */
export interface MemberId {
  id: string;
  type: string | null;
}

/** How the directory names a member object (the admin API names members in errors by these). */
export interface MemberName {
  id: string;
  type: 'user' | 'group' | 'device' | null;
  displayName: string | null;
  /** Users only. */
  userPrincipalName: string | null;
}

/** Names of member objects, read in batches (GraphDirectoryReader implements it next to DirectoryReader). */
export interface MemberNameReader {
  /** Ids the directory does not return (deleted, or not readable by the app) are absent from the map. */
  memberNames(ids: readonly string[]): Promise<Map<string, MemberName>>;
}

export interface DirectoryReader {
  /** Runs one delta round from `deltaLink` (null: a first, full round) and hands over every page's group
   *  items in order. */
  groupsDelta(deltaLink: string | null, onPage: (items: DeltaGroupItem[]) => void | Promise<void>): Promise<DeltaRoundOutcome>;
  /** Current properties incl. writebackConfiguration (Graph beta) of these groups. `onRequest` is called with
   *  the ids of each request (a $batch) as it is sent, so a caller can tell when each group's read started. */
  readGroups(groupIds: readonly string[], onRequest?: (groupIds: readonly string[]) => void): Promise<Map<string, GroupRead>>;
  /** Which of these groups are in deleted items (soft-deleted, restorable); the others are not. */
  deletedGroups(groupIds: readonly string[]): Promise<Set<string>>;
  /** The complete direct member list of a group; null when the group does not exist. */
  groupMembers(groupId: string): Promise<MemberId[] | null>;
  /** The complete direct member list of a group with what the directory says about each member, read in
   *  pages without lookups; null when the group does not exist. `expected`: the count the caller expects, for
   *  the progress lines of long reads. */
  groupMemberIdentities(groupId: string, expected?: number | null): Promise<MemberIdentityList | null>;
  /** What the directory says about member objects; ids it does not return are absent from the map. */
  memberIdentities(members: readonly MemberId[]): Promise<Map<string, MemberIdentity>>;
  /** The tenant's NewUnifiedGroupWritebackDefault directory setting; null when no Group.Unified setting exists. */
  unifiedGroupWritebackDefault(): Promise<boolean | null>;
}
