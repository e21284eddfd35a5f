// The DACL edit behind the local relay account's delegation (dev/stack/security-descriptor.ts): object ACEs
// encoded as [MS-DTYP] lays them out, new ACEs placed after the explicit ones and before the inherited ones
// (AD's canonical order), nothing added twice, and only the DACL written back.
import { describe, expect, it } from 'vitest';
import { encodeObjectAce, withAces } from '../../dev/stack/security-descriptor.js';
import { guidToString, sidToBuffer, sidToString } from '../../relay/ldap/sid.js';

const SID = 'S-1-5-21-1-2-3-1105';
const GROUP = 'bf967a9c-0de6-11d0-a285-00aa003049e2';

/** A plain ACCESS_ALLOWED_ACE (type 0) for `sid` with these flags. */
function allowAce(sid: string, flags: number): Buffer {
  const sidBytes = sidToBuffer(sid);
  const ace = Buffer.alloc(8 + sidBytes.length);
  ace.writeUInt8(0, 0);
  ace.writeUInt8(flags, 1);
  ace.writeUInt16LE(ace.length, 2);
  ace.writeUInt32LE(0x10, 4);
  sidBytes.copy(ace, 8);
  return ace;
}

/** A self-relative descriptor with an owner placeholder and a DACL of `aces`. */
function descriptor(aces: Buffer[]): Buffer {
  const acl = Buffer.alloc(8);
  acl.writeUInt8(2, 0);
  acl.writeUInt16LE(8 + aces.reduce((n, a) => n + a.length, 0), 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(0x8000 | 0x0400 | 0x0004, 2);
  header.writeUInt32LE(20, 16);
  return Buffer.concat([header, acl, ...aces]);
}

function acesOf(sd: Buffer): Buffer[] {
  const offset = sd.readUInt32LE(16);
  const out: Buffer[] = [];
  let at = offset + 8;
  for (let i = 0; i < sd.readUInt16LE(offset + 4); i += 1) {
    out.push(sd.subarray(at, at + sd.readUInt16LE(at + 2)));
    at += sd.readUInt16LE(at + 2);
  }
  return out;
}

describe('security descriptor edits', () => {
  it('encodes an object ACE with its object type, inherited object type and trustee', () => {
    const ace = encodeObjectAce({ sid: SID, mask: 0x30, flags: 0x0a, inheritedObjectType: GROUP });
    expect([ace.readUInt8(0), ace.readUInt8(1), ace.readUInt16LE(2), ace.readUInt32LE(4), ace.readUInt32LE(8)]).toEqual([5, 0x0a, ace.length, 0x30, 2]);
    expect(guidToString(ace.subarray(12, 28))).toBe(GROUP);
    expect(sidToString(ace.subarray(28))).toBe(SID);
    const both = encodeObjectAce({ sid: SID, mask: 0x3, flags: 0x02, objectType: GROUP, inheritedObjectType: GROUP });
    expect(both.readUInt32LE(8)).toBe(3);
    expect(both.length).toBe(ace.length + 16);
  });

  it('puts new ACEs after the explicit ones and before the inherited ones, in a DACL-only descriptor', () => {
    const explicit = allowAce('S-1-5-11', 0);
    const inherited = allowAce('S-1-5-18', 0x10);
    const added = encodeObjectAce({ sid: SID, mask: 0x3, flags: 0x02, objectType: GROUP });
    const sd = withAces(descriptor([explicit, inherited]), [added]);
    expect(sd).not.toBeNull();
    expect(acesOf(sd!)).toEqual([explicit, added, inherited]);
    expect([sd!.readUInt32LE(4), sd!.readUInt32LE(8), sd!.readUInt32LE(12), sd!.readUInt32LE(16)]).toEqual([0, 0, 0, 20]);
    expect(sd!.readUInt16LE(2)).toBe(0x8000 | 0x0400 | 0x0004);
    expect(sd!.readUInt8(20)).toBe(4); // object ACEs need ACL_REVISION_DS
    expect(withAces(sd!, [added])).toBeNull();
  });
});
