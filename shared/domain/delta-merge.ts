// Merging the pages of one delta round per group (docs/graph.md, delta query): a big group spans pages and
// reappears, pages of different groups interleave, pages may repeat or be replayed. For each group the later
// page wins for properties and for the group's removal; per member the last occurrence wins (a removal then
// an add of the same member inside one round ends as added). Merging the same pages again changes nothing.
import type { CloudGroup, GroupLifecycle } from './model.js';

/** The group properties a delta item may carry: only those present on the page (Graph may send only what
 *  changed). `deletedDateTime` is carried to recognise soft-deleted groups. */
export type CloudGroupPatch = Partial<Omit<CloudGroup, 'id'>> & { deletedDateTime?: string | null };

export interface DeltaMemberChange {
  id: string;
  /** 'user' | 'group' | 'device' | ... from @odata.type, when given. */
  type: string | null;
  removed: boolean;
}

/** One group entry of one delta page, as the Graph adapter parsed it. */
export interface DeltaGroupItem {
  id: string;
  props: CloudGroupPatch;
  /** @removed.reason: 'changed' = soft-deleted (restorable), 'deleted' = permanently deleted. */
  removed: 'changed' | 'deleted' | null;
  members: DeltaMemberChange[];
}

export interface MergedGroupChange {
  id: string;
  props: CloudGroupPatch;
  removed: 'changed' | 'deleted' | null;
  /** Final state per member id within this round. */
  members: Map<string, DeltaMemberChange>;
  /** More member changes came than are kept (`members` is then empty): only the complete member list tells
   *  where the group stands. */
  membersDropped?: true;
}

/** `maxMemberChanges`: member changes kept per group; beyond it they are dropped (`membersDropped`). */
export function mergeDeltaItems(into: Map<string, MergedGroupChange>, items: readonly DeltaGroupItem[], maxMemberChanges = Infinity): Map<string, MergedGroupChange> {
  for (const item of items) {
    let merged = into.get(item.id);
    if (!merged) {
      merged = { id: item.id, props: {}, removed: null, members: new Map() };
      into.set(item.id, merged);
    }
    Object.assign(merged.props, item.props);
    // A later page showing the group (without @removed) means it is there again (for example restored).
    merged.removed = item.removed;
    for (const m of item.members) {
      if (merged.membersDropped) break;
      const prev = merged.members.get(m.id);
      // Re-insert so iteration order follows the last occurrence.
      merged.members.delete(m.id);
      merged.members.set(m.id, { id: m.id, type: m.type ?? prev?.type ?? null, removed: m.removed });
      if (merged.members.size > maxMemberChanges) {
        merged.members.clear();
        merged.membersDropped = true;
      }
    }
  }
  return into;
}

/** Merges whole pages in the order given (later wins). */
export function mergeDeltaPages(pages: readonly (readonly DeltaGroupItem[])[]): Map<string, MergedGroupChange> {
  const out = new Map<string, MergedGroupChange>();
  for (const page of pages) mergeDeltaItems(out, page);
  return out;
}

export function lifecycleOf(change: Pick<MergedGroupChange, 'removed' | 'props'>): GroupLifecycle {
  if (change.removed === 'deleted') return 'hardDeleted';
  if (change.removed === 'changed') return 'softDeleted';
  const deleted = change.props.deletedDateTime;
  return typeof deleted === 'string' && deleted.length > 0 ? 'softDeleted' : 'present';
}

/** Member ids that are members after the round, and ids that are not (in last-occurrence order). */
export function memberDelta(change: MergedGroupChange): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const m of change.members.values()) (m.removed ? removed : added).push(m.id);
  return { added, removed };
}

/** Layers what is known about a group: older first, later wins. Returns null when a property the policy needs
 *  is known from none of the layers (the caller reads the group from Graph then). */
export function cloudGroupFrom(id: string, ...layers: (CloudGroupPatch | CloudGroup | null | undefined)[]): CloudGroup | null {
  const p: CloudGroupPatch = {};
  for (const l of layers) if (l) Object.assign(p, l);
  // writebackConfiguration is not guessed: a missing one would read as "disabled" and delete the AD group.
  if (p.groupTypes === undefined || p.mailEnabled === undefined || p.securityEnabled === undefined || !p.writebackConfiguration) {
    return null;
  }
  return {
    id,
    displayName: p.displayName ?? null,
    description: p.description ?? null,
    groupTypes: [...(p.groupTypes ?? [])],
    mailEnabled: p.mailEnabled ?? false,
    securityEnabled: p.securityEnabled ?? false,
    mail: p.mail ?? null,
    mailNickname: p.mailNickname ?? null,
    proxyAddresses: [...(p.proxyAddresses ?? [])],
    onPremisesSyncEnabled: p.onPremisesSyncEnabled ?? null,
    writebackConfiguration: { ...p.writebackConfiguration },
  };
}
