// A model of what the relay makes of writeback messages (find by anchor, upsert header, apply member adds and
// removes, snapshot = exact member set after the last part, delete), applied per group in seq order with
// replays (seq <= last applied) ignored. Tests compare it with what the cloud says AD should hold.
import type { MemberRef, WritebackMessage } from '../../shared/domain/model.js';

export interface ModelGroup {
  cn: string;
  groupType: number;
  displayName: string;
  description: string | null;
  /** Member keys: `sid:<sid>` / `group:<anchor>` / `device:<id>`. */
  members: Set<string>;
}

export const refKey = (r: MemberRef): string => (r.kind === 'sid' ? `sid:${r.sid}` : r.kind === 'group' ? `group:${r.anchor}` : `device:${r.deviceId}`);

export class WritebackModel {
  readonly groups = new Map<string, ModelGroup>();
  private readonly lastSeq = new Map<string, number>();
  private readonly snapshots = new Map<string, { id: string; members: Set<string>; parts: Set<number> }>();
  /** Messages applied (not counting replays). */
  applied = 0;

  apply(m: WritebackMessage): void {
    if (m.seq <= (this.lastSeq.get(m.groupId) ?? 0)) return;
    this.lastSeq.set(m.groupId, m.seq);
    this.applied++;
    if (m.kind === 'delete') {
      this.groups.delete(m.groupId);
      return;
    }
    const existing = this.groups.get(m.groupId);
    const g: ModelGroup = {
      cn: m.header.cn,
      groupType: m.header.groupType,
      displayName: m.header.displayName,
      description: m.header.description,
      members: existing?.members ?? new Set(),
    };
    this.groups.set(m.groupId, g);
    if (m.kind === 'upsert') {
      for (const r of m.remove) g.members.delete(refKey(r));
      for (const r of m.add) g.members.add(refKey(r));
      return;
    }
    let snap = this.snapshots.get(m.groupId);
    if (snap?.id !== m.snapshotId) {
      snap = { id: m.snapshotId, members: new Set(), parts: new Set() };
      this.snapshots.set(m.groupId, snap);
    }
    for (const r of m.members) {
      snap.members.add(refKey(r));
      g.members.add(refKey(r));
    }
    snap.parts.add(m.part);
    if (snap.parts.size === m.parts) {
      g.members = new Set(snap.members);
      this.snapshots.delete(m.groupId);
    }
  }

  applyAll(messages: readonly WritebackMessage[]): void {
    for (const m of messages) this.apply(m);
  }

  membersOf(groupId: string): string[] | undefined {
    const g = this.groups.get(groupId);
    return g === undefined ? undefined : [...g.members].sort();
  }
}
