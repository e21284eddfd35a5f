// Compact sets of member identities for big snapshots: a SID is kept as one number (its domain part as a
// small index, times 2^32, plus its RID), so a million members cost 8 MB in a sorted Float64Array instead
// of a million strings and objects. Objects without a SID (devices) are kept by GUID in a plain set; there
// are few. A set is filled, sealed (sorted once), then asked.
import { normaliseId } from '../../shared/domain/ids.js';

const RID_SPAN = 2 ** 32;

/** Domain parts of SIDs (`S-1-5-21-a-b-c`) numbered in order of first sight; shared by the sets compared. */
export class SidDomains {
  private readonly index = new Map<string, number>();

  /** The SID as a number, or null when it is not `<domain part>-<RID>` with a 32-bit RID. */
  key(sid: string): number | null {
    const dash = sid.lastIndexOf('-');
    const rid = Number(sid.slice(dash + 1));
    if (dash < 0 || !Number.isInteger(rid) || rid < 0 || rid >= RID_SPAN) return null;
    const domain = sid.slice(0, dash).toUpperCase();
    let n = this.index.get(domain);
    if (n === undefined) {
      n = this.index.size;
      this.index.set(domain, n);
    }
    return n * RID_SPAN + rid;
  }
}

/** A member as the sets know it: by SID when it has one, else by GUID. */
export interface MemberIdentifiers {
  sid: string | null;
  guid: string | null;
}

export class MemberKeySet {
  private keys = new Float64Array(1024);
  private count = 0;
  private sealed = false;
  /** SIDs that do not fit a key (none in practice) and SID-less objects by GUID. */
  private readonly others = new Set<string>();

  constructor(private readonly domains: SidDomains) {}

  get size(): number {
    return this.count + this.others.size;
  }

  add(member: MemberIdentifiers): void {
    if (this.sealed) throw new Error('member key set is sealed');
    const key = member.sid !== null ? this.domains.key(member.sid) : null;
    if (key === null) {
      this.others.add(this.otherKey(member));
      return;
    }
    if (this.count === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.count++] = key;
  }

  /** Sorts the keys (and gives back unused room); after this the set answers `has`. */
  seal(): this {
    if (this.sealed) return this;
    this.keys = this.keys.slice(0, this.count).sort();
    this.sealed = true;
    return this;
  }

  has(member: MemberIdentifiers): boolean {
    if (!this.sealed) throw new Error('member key set is not sealed yet');
    const key = member.sid !== null ? this.domains.key(member.sid) : null;
    if (key === null) return this.others.has(this.otherKey(member));
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.keys[mid]!;
      if (at === key) return true;
      if (at < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** How many members of this set `other` does not hold (both sealed; they must share their SidDomains). */
  countNotIn(other: MemberKeySet): number {
    if (!this.sealed || !other.sealed) throw new Error('member key sets are not sealed yet');
    if (other.domains !== this.domains) throw new Error('member key sets of different SID domains cannot be compared');
    let missing = 0;
    // Both sorted: one merge pass.
    let j = 0;
    for (let i = 0; i < this.count; i += 1) {
      const key = this.keys[i]!;
      while (j < other.count && other.keys[j]! < key) j += 1;
      if (j >= other.count || other.keys[j] !== key) missing += 1;
    }
    for (const key of this.others) if (!other.others.has(key)) missing += 1;
    return missing;
  }

  private otherKey(member: MemberIdentifiers): string {
    if (member.sid !== null) return `s:${member.sid.toUpperCase()}`;
    if (member.guid !== null) return `g:${normaliseId(member.guid)}`;
    throw new Error('a member needs a SID or a GUID');
  }
}
