// Delegating rights on an AD object over LDAP, as `dsacls /G` does on Windows: the object's DACL is read and
// written alone (LDAP_SERVER_SD_FLAGS_OID with DACL_SECURITY_INFORMATION, so owner, group and SACL stay as
// they are), and the new allow ACEs go after the object's own ACEs and before the inherited ones (AD's
// canonical order). Only object ACEs (ACCESS_ALLOWED_OBJECT_ACE), which a delegation on an OU uses.
// Binary formats: [MS-DTYP] 2.4.6 SECURITY_DESCRIPTOR, 2.4.5 ACL, 2.4.4.3 ACCESS_ALLOWED_OBJECT_ACE.
import { Attribute, BerWriter, Change, Control, type Client } from 'ldapts';
import { guidToBuffer, sidToBuffer } from '../../relay/ldap/sid.js';

/** ADS_RIGHT_DS_* access mask bits. */
export const DS_RIGHTS = { createChild: 0x1, deleteChild: 0x2, readProperty: 0x10, writeProperty: 0x20 } as const;
/** ACE flags: inherited by child containers and objects (CI), not applied to the object itself (IO). */
export const ACE_FLAGS = { containerInherit: 0x02, inheritOnly: 0x08 } as const;
const INHERITED_ACE = 0x10;
const ACCESS_ALLOWED_OBJECT_ACE_TYPE = 0x05;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;
/** Object ACEs need the DS revision of the ACL. */
const ACL_REVISION_DS = 4;
const SE_SELF_RELATIVE = 0x8000;
const SE_DACL_PRESENT = 0x0004;
/** The DACL bits of the descriptor's control word (defaulted, auto-inherit-req, auto-inherited, protected). */
const DACL_CONTROL_BITS = SE_DACL_PRESENT | 0x0008 | 0x0100 | 0x0400 | 0x1000;
const SD_HEADER_BYTES = 20;
const ACL_HEADER_BYTES = 8;

const SD_FLAGS_OID = '1.2.840.113556.1.4.801';
const DACL_SECURITY_INFORMATION = 0x4;

/** Reads and writes only the DACL part of nTSecurityDescriptor. */
class DaclOnlyControl extends Control {
  constructor() {
    super(SD_FLAGS_OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(DACL_SECURITY_INFORMATION);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

export interface ObjectAce {
  /** Trustee. */
  sid: string;
  mask: number;
  flags: number;
  /** The class (create/delete child) or attribute the right is about; absent: every one. */
  objectType?: string;
  /** Inherited only by objects of this class; absent: by every child. */
  inheritedObjectType?: string;
}

export function encodeObjectAce(ace: ObjectAce): Buffer {
  const guids = [ace.objectType, ace.inheritedObjectType].flatMap((g) => (g === undefined ? [] : [guidToBuffer(g)]));
  const sid = sidToBuffer(ace.sid);
  const size = 4 + 4 + 4 + 16 * guids.length + sid.length;
  const out = Buffer.alloc(size);
  out.writeUInt8(ACCESS_ALLOWED_OBJECT_ACE_TYPE, 0);
  out.writeUInt8(ace.flags, 1);
  out.writeUInt16LE(size, 2);
  out.writeUInt32LE(ace.mask >>> 0, 4);
  const present = (ace.objectType === undefined ? 0 : ACE_OBJECT_TYPE_PRESENT) | (ace.inheritedObjectType === undefined ? 0 : ACE_INHERITED_OBJECT_TYPE_PRESENT);
  out.writeUInt32LE(present, 8);
  Buffer.concat([...guids, sid]).copy(out, 12);
  return out;
}

/** The ACEs of a self-relative descriptor's DACL, each as its bytes, and the DACL's control bits. */
function daclOf(sd: Buffer): { control: number; revision: number; aces: Buffer[] } {
  const control = sd.readUInt16LE(2);
  const offset = sd.readUInt32LE(16);
  if (offset === 0) throw new Error('the security descriptor has no DACL');
  const count = sd.readUInt16LE(offset + 4);
  const aces: Buffer[] = [];
  let at = offset + ACL_HEADER_BYTES;
  for (let i = 0; i < count; i += 1) {
    const size = sd.readUInt16LE(at + 2);
    aces.push(sd.subarray(at, at + size));
    at += size;
  }
  return { control, revision: sd.readUInt8(offset), aces };
}

/** A DACL-only descriptor with the ACEs of `added` it lacks placed after its explicit ACEs; null when it has them all. */
export function withAces(sd: Buffer, added: Buffer[]): Buffer | null {
  const dacl = daclOf(sd);
  const missing = added.filter((ace) => !dacl.aces.some((present) => present.equals(ace)));
  if (missing.length === 0) return null;
  const firstInherited = dacl.aces.findIndex((ace) => (ace.readUInt8(1) & INHERITED_ACE) !== 0);
  const at = firstInherited === -1 ? dacl.aces.length : firstInherited;
  const aces = [...dacl.aces.slice(0, at), ...missing, ...dacl.aces.slice(at)];
  const aclSize = ACL_HEADER_BYTES + aces.reduce((n, ace) => n + ace.length, 0);
  const header = Buffer.alloc(SD_HEADER_BYTES + ACL_HEADER_BYTES);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(SE_SELF_RELATIVE | (dacl.control & DACL_CONTROL_BITS) | SE_DACL_PRESENT, 2);
  header.writeUInt32LE(SD_HEADER_BYTES, 16); // owner, group and SACL offsets stay 0: not written
  header.writeUInt8(Math.max(dacl.revision, ACL_REVISION_DS), SD_HEADER_BYTES);
  header.writeUInt16LE(aclSize, SD_HEADER_BYTES + 2);
  header.writeUInt16LE(aces.length, SD_HEADER_BYTES + 4);
  return Buffer.concat([header, ...aces]);
}

async function readDacl(client: Client, dn: string): Promise<Buffer> {
  const { searchEntries } = await client.search(
    dn,
    { scope: 'base', filter: '(objectClass=*)', attributes: ['nTSecurityDescriptor'], explicitBufferAttributes: ['nTSecurityDescriptor'] },
    new DaclOnlyControl(),
  );
  const value = searchEntries[0]?.['nTSecurityDescriptor'];
  const sd = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(sd)) throw new Error(`no nTSecurityDescriptor readable on ${dn}`);
  return sd;
}

/** Adds allow ACEs to the object's DACL (idempotent: an ACE already there is not added twice). */
export async function grantAces(client: Client, dn: string, aces: ObjectAce[]): Promise<void> {
  const updated = withAces(await readDacl(client, dn), aces.map(encodeObjectAce));
  if (updated === null) return;
  await client.modify(
    dn,
    new Change({ operation: 'replace', modification: new Attribute({ type: 'nTSecurityDescriptor', values: [updated] }) }),
    new DaclOnlyControl(),
  );
}
