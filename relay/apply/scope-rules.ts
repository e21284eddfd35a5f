// AD's group nesting rules (Samba does not enforce them, so the relay checks them itself to behave the
// same against every DC). groupType bits: 0x2 global, 0x4 domain local, 0x8 universal.

const GLOBAL = 0x2;
const DOMAIN_LOCAL = 0x4;
const UNIVERSAL = 0x8;

export interface ScopeViolation {
  /** The Win32 error name AD reports. */
  code: string;
  /** AD's error text. */
  message: string;
}

/** The violation AD would report for nesting a group of `memberGroupType` into one of `parentGroupType`. */
export function nestingViolation(parentGroupType: number, memberGroupType: number): ScopeViolation | null {
  const member = memberGroupType & (GLOBAL | DOMAIN_LOCAL | UNIVERSAL);
  if (parentGroupType & UNIVERSAL) {
    if (member & DOMAIN_LOCAL) {
      return {
        code: 'ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER',
        message: 'A universal group cannot have a local group as a member.',
      };
    }
    return null;
  }
  if (parentGroupType & GLOBAL) {
    if (member & DOMAIN_LOCAL) {
      return { code: 'ERROR_DS_GLOBAL_CANT_HAVE_LOCAL_MEMBER', message: 'A global group cannot have a local group as a member.' };
    }
    if (member & UNIVERSAL) {
      return {
        code: 'ERROR_DS_GLOBAL_CANT_HAVE_UNIVERSAL_MEMBER',
        message: 'A global group cannot have a universal group as a member.',
      };
    }
  }
  return null;
}

/** True for a domain-local group type (the only kind a universal group may not hold). */
export function isDomainLocal(groupType: number): boolean {
  return (groupType & DOMAIN_LOCAL) !== 0;
}
