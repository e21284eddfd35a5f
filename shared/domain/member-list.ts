// A group's complete member list with each member's identity, held compact: parallel arrays of the member ids,
// a small code (type, sync flag) and one value string (a user's or group's SID, a device's deviceId), instead of
// an identity object per member and a map entry per id. A 250,000-member group is read whole before it is
// planned (docs/planner.md, "Big groups"); an identity object is made only for the member being resolved.
import type { MemberIdentity } from './model.js';

const TYPES: readonly MemberIdentity['type'][] = ['user', 'group', 'device', 'other'];
const SYNC: readonly MemberIdentity['onPremisesSyncEnabled'][] = [null, true, false];
/** A member whose identity is not known (resolved as not found). */
const UNKNOWN = -1;

export class MemberIdentityList {
  private readonly ids: string[] = [];
  /** TYPES index + 4 * SYNC index, or UNKNOWN. */
  private readonly codes: number[] = [];
  private readonly values: (string | null)[] = [];

  /** `identity` undefined: the member's identity is unknown. Only what the planner reads is kept: the SID of a
   *  user or group, the deviceId of a device, the sync flag of all but `other`. */
  push(id: string, identity?: MemberIdentity): void {
    this.ids.push(id);
    if (identity === undefined) {
      this.codes.push(UNKNOWN);
      this.values.push(null);
      return;
    }
    const type = TYPES.indexOf(identity.type);
    this.codes.push(type + 4 * SYNC.indexOf(identity.type === 'other' ? null : identity.onPremisesSyncEnabled));
    this.values.push(identity.type === 'device' ? identity.deviceId : identity.type === 'other' ? null : identity.onPremisesSecurityIdentifier);
  }

  get size(): number {
    return this.ids.length;
  }

  idAt(i: number): string {
    const id = this.ids[i];
    if (id === undefined) throw new RangeError(`no member at ${i} of ${this.ids.length}`);
    return id;
  }

  identityAt(i: number): MemberIdentity | undefined {
    const id = this.idAt(i);
    const code = this.codes[i]!;
    if (code === UNKNOWN) return undefined;
    const type = TYPES[code % 4]!;
    const value = this.values[i] ?? null;
    return {
      id,
      type,
      onPremisesSecurityIdentifier: type === 'user' || type === 'group' ? value : null,
      onPremisesSyncEnabled: SYNC[Math.floor(code / 4)]!,
      deviceId: type === 'device' ? value : null,
    };
  }

  /** Member groups that are not synced from AD: whether they are written back decides their entries. */
  cloudGroupIds(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const code = this.codes[i]!;
      if (code !== UNKNOWN && TYPES[code % 4] === 'group' && SYNC[Math.floor(code / 4)] !== true) out.push(this.ids[i]!);
    }
    return out;
  }

  /** The positions of the members, a member listed twice once (the list is read page by page). */
  firstOccurrences(): number[] {
    const seen = new Set<string>();
    const out: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i]!;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(i);
    }
    return out;
  }

  static of(identities: Iterable<MemberIdentity>): MemberIdentityList {
    const list = new MemberIdentityList();
    for (const identity of identities) list.push(identity.id, identity);
    return list;
  }
}
