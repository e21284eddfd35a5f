// Who is a member, independent of names: current members are read with the extended-DN control
// (`<GUID=...>;<SID=...>;CN=...`), desired members are known by SID or resolved to GUID/SID. A snapshot
// compares the two by these identifiers (member-keys.ts), so a renamed or moved member never looks like drift.
import { normaliseId } from '../../shared/domain/ids.js';

export interface CurrentMember {
  guid: string;
  /** Absent for objects without a SID (e.g. devices). */
  sid: string | null;
  /** The plain DN (also a valid `member` value). */
  dn: string;
}

/** A member the message wants, with the value to write and the identifiers to match current members by. */
export interface DesiredMember {
  cloudId: string;
  /** The `member` value to add: `<SID=...>` or the DN of a resolved group or device. */
  value: string;
  sid: string | null;
  guid: string | null;
}

export class ExtendedDnError extends Error {
  constructor(value: string) {
    super(`not an extended DN with a GUID: ${JSON.stringify(value.slice(0, 200))}`);
    this.name = 'ExtendedDnError';
  }
}

const COMPONENT = /^<(GUID|SID)=([^>]*)>;?/i;

/** Parses `<GUID=...>;<SID=...>;CN=x,...` (string form, flag 1 of LDAP_SERVER_EXTENDED_DN_OID). */
export function parseExtendedDn(value: string): CurrentMember {
  let rest = value;
  let guid: string | null = null;
  let sid: string | null = null;
  for (let match = COMPONENT.exec(rest); match; match = COMPONENT.exec(rest)) {
    if (match[1]!.toUpperCase() === 'GUID') guid = normaliseId(match[2]!);
    else sid = match[2]!.toUpperCase();
    rest = rest.slice(match[0].length);
  }
  if (guid === null) throw new ExtendedDnError(value);
  return { guid, sid, dn: rest };
}
