// The member name reader port: who a directory object is, for people reading the admin API (a preview's members,
// named rather than by id). Implemented by shared/adapters/graph/member-names.ts.

export interface MemberName {
  id: string;
  displayName: string | null;
  /** Users only. */
  userPrincipalName: string | null;
  kind: 'user' | 'group' | 'device' | null;
}

export interface MemberNameReader {
  /** Names of these objects; ids the directory does not return are absent from the map. */
  memberNames(ids: readonly string[]): Promise<Map<string, MemberName>>;
}
