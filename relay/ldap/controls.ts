// LDAP controls the relay sends to AD (and Samba).
import { BerWriter, Control } from 'ldapts';

/** LDAP_SERVER_PERMISSIVE_MODIFY_OID: adding a present member or removing an absent one succeeds
 *  (instead of 68 entryAlreadyExists / 53 or 16), which makes member changes idempotent. */
export const PERMISSIVE_MODIFY_OID = '1.2.840.113556.1.4.1413';

/** LDAP_SERVER_EXTENDED_DN_OID: DN values come back as `<GUID=...>;<SID=...>;CN=...`. */
export const EXTENDED_DN_OID = '1.2.840.113556.1.4.529';

export function permissiveModifyControl(): Control {
  return new Control(PERMISSIVE_MODIFY_OID);
}

/** Extended DN control with ValueFlag 1: GUID and SID in their string forms (not hex). */
class ExtendedDnControl extends Control {
  constructor() {
    super(EXTENDED_DN_OID);
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

export function extendedDnControl(): Control {
  return new ExtendedDnControl();
}
