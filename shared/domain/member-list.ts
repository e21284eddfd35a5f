// A group's complete member list with each member's identity, held compact: a 1,000,000-member group is read
// whole before it is planned (docs/planner.md, "Big groups"). Per member: the id as 16 bytes (./guid-bytes.ts),
// a code (type, sync flag), and the value the planner reads -- a SID as an index into the list's SID prefixes
// (the domain's, shared by its members) plus the RID, anything else as a string. About 25 bytes a member
// instead of ~140 for strings; an identity object is made only for the member being resolved.
import { compareGuids, GUID_BYTES, readGuid, writeGuid } from './guid-bytes.js';
import type { MemberIdentity } from './model.js';

const TYPES: readonly MemberIdentity['type'][] = ['user', 'group', 'device', 'other'];
const SYNC: readonly MemberIdentity['onPremisesSyncEnabled'][] = [null, true, false];
/** Code of a member whose identity is not known (resolved as not found). */
const UNKNOWN = 15;
/** Added to the code when the id is held as a string (not a canonical GUID). */
const ID_STRING = 16;
/** Prefix index of a member without value, and of a value held as a string. */
const NO_VALUE = -1;
const VALUE_STRING = -2;
/** A SID split before its last part, the RID, when that is a plain 32-bit number. */
const SID_RID = /^(S-1-[0-9-]+)-(0|[1-9][0-9]{0,9})$/;

/** The distinct members of a list (the first listing of each), as positions in list order and in id order. */
export interface DistinctMembers {
  inListOrder: Int32Array;
  inIdOrder: Int32Array;
}

export class MemberIdentityList {
  private count = 0;
  private idBytes = new Uint8Array(0);
  /** TYPES index + 4 * SYNC index, or UNKNOWN; + ID_STRING. */
  private codes = new Uint8Array(0);
  private prefixOf = new Int32Array(0);
  private rids = new Uint32Array(0);
  private readonly prefixes: string[] = [];
  private readonly prefixIndex = new Map<string, number>();
  /** Ids and values that are held as strings, by position (rare: odd ids, device ids, odd SIDs). */
  private readonly idStrings = new Map<number, string>();
  private readonly valueStrings = new Map<number, string>();

  private grow(): void {
    const capacity = Math.max(1024, this.codes.length * 2);
    const idBytes = new Uint8Array(capacity * GUID_BYTES);
    idBytes.set(this.idBytes);
    const codes = new Uint8Array(capacity);
    codes.set(this.codes);
    const prefixOf = new Int32Array(capacity);
    prefixOf.set(this.prefixOf);
    const rids = new Uint32Array(capacity);
    rids.set(this.rids);
    this.idBytes = idBytes;
    this.codes = codes;
    this.prefixOf = prefixOf;
    this.rids = rids;
  }

  private setValue(i: number, value: string | null): void {
    if (value === null) {
      this.prefixOf[i] = NO_VALUE;
      return;
    }
    const sid = SID_RID.exec(value);
    const rid = sid === null ? NaN : Number(sid[2]);
    if (sid === null || rid > 0xffffffff) {
      this.prefixOf[i] = VALUE_STRING;
      this.valueStrings.set(i, value);
      return;
    }
    let p = this.prefixIndex.get(sid[1]!);
    if (p === undefined) {
      p = this.prefixes.push(sid[1]!) - 1;
      this.prefixIndex.set(sid[1]!, p);
    }
    this.prefixOf[i] = p;
    this.rids[i] = rid;
  }

  private valueAt(i: number): string | null {
    const p = this.prefixOf[i]!;
    if (p === NO_VALUE) return null;
    if (p === VALUE_STRING) return this.valueStrings.get(i)!;
    return `${this.prefixes[p]!}-${this.rids[i]!}`;
  }

  /** `identity` undefined: the member's identity is unknown. Only what the planner reads is kept: the SID of a
   *  user or group, the deviceId of a device, the sync flag of all but `other`. */
  push(id: string, identity?: MemberIdentity): void {
    if (this.count === this.codes.length) this.grow();
    const i = this.count++;
    const asString = !writeGuid(id, this.idBytes, i * GUID_BYTES);
    if (asString) this.idStrings.set(i, id);
    if (identity === undefined) {
      this.codes[i] = UNKNOWN + (asString ? ID_STRING : 0);
      this.setValue(i, null);
      return;
    }
    const type = TYPES.indexOf(identity.type);
    this.codes[i] = type + 4 * SYNC.indexOf(identity.type === 'other' ? null : identity.onPremisesSyncEnabled) + (asString ? ID_STRING : 0);
    this.setValue(i, identity.type === 'device' ? identity.deviceId : identity.type === 'other' ? null : identity.onPremisesSecurityIdentifier);
  }

  get size(): number {
    return this.count;
  }

  idAt(i: number): string {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no member at ${i} of ${this.count}`);
    return this.codes[i]! >= ID_STRING ? this.idStrings.get(i)! : readGuid(this.idBytes, i * GUID_BYTES);
  }

  identityAt(i: number): MemberIdentity | undefined {
    const id = this.idAt(i);
    const code = this.codes[i]! % ID_STRING;
    if (code === UNKNOWN) return undefined;
    const type = TYPES[code % 4]!;
    const value = this.valueAt(i);
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
    for (let i = 0; i < this.count; i++) {
      const code = this.codes[i]! % ID_STRING;
      if (code !== UNKNOWN && TYPES[code % 4] === 'group' && SYNC[Math.floor(code / 4)] !== true) out.push(this.idAt(i));
    }
    return out;
  }

  /** The order of two members' ids as strings (< 0, 0, > 0). */
  compareIds(a: number, b: number): number {
    if (this.codes[a]! < ID_STRING && this.codes[b]! < ID_STRING) return compareGuids(this.idBytes, a * GUID_BYTES, b * GUID_BYTES);
    const x = this.idAt(a);
    const y = this.idAt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** The members, a member listed twice once at its first position (the list is read page by page). */
  distinct(): DistinctMembers {
    const all = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) all[i] = i;
    all.sort((a, b) => this.compareIds(a, b) || a - b);
    const first = new Uint8Array(this.count);
    let n = 0;
    for (let k = 0; k < all.length; k++) {
      if (k > 0 && this.compareIds(all[k - 1]!, all[k]!) === 0) continue;
      first[all[k]!] = 1;
      all[n++] = all[k]!;
    }
    const inListOrder = new Int32Array(n);
    for (let i = 0, j = 0; i < this.count; i++) if (first[i] === 1) inListOrder[j++] = i;
    return { inListOrder, inIdOrder: all.slice(0, n) };
  }

  static of(identities: Iterable<MemberIdentity>): MemberIdentityList {
    const list = new MemberIdentityList();
    for (const identity of identities) list.push(identity.id, identity);
    return list;
  }
}
