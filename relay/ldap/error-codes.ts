// Stable, readable codes for errors the relay reports in results: AD's Win32 error name where the DC sent
// one (the leading hex of its diagnostic text), otherwise the LDAP result name.
import { classifyLdapError } from './errors.js';

const WIN32_NAMES: ReadonlyMap<number, string> = new Map([
  [0x5, 'ERROR_ACCESS_DENIED'],
  [0x525, 'ERROR_NO_SUCH_USER'],
  [0x561, 'ERROR_MEMBER_NOT_IN_GROUP'],
  [0x562, 'ERROR_MEMBER_IN_GROUP'],
  [0x2030, 'ERROR_DS_NO_SUCH_OBJECT'],
  [0x2071, 'ERROR_DS_OBJ_STRING_NAME_EXISTS'],
  [0x2098, 'ERROR_DS_INSUFF_ACCESS_RIGHTS'],
  [0x2144, 'ERROR_DS_GLOBAL_CANT_HAVE_LOCAL_MEMBER'],
  [0x2145, 'ERROR_DS_GLOBAL_CANT_HAVE_UNIVERSAL_MEMBER'],
  [0x2146, 'ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER'],
  [0x2147, 'ERROR_DS_GLOBAL_CANT_HAVE_CROSSDOMAIN_MEMBER'],
]);

const LDAP_NAMES: ReadonlyMap<number, string> = new Map([
  [16, 'LDAP_NO_SUCH_ATTRIBUTE'],
  [17, 'LDAP_UNDEFINED_TYPE'],
  [19, 'LDAP_CONSTRAINT_VIOLATION'],
  [20, 'LDAP_ATTRIBUTE_OR_VALUE_EXISTS'],
  [21, 'LDAP_INVALID_SYNTAX'],
  [32, 'LDAP_NO_SUCH_OBJECT'],
  [34, 'LDAP_INVALID_DN_SYNTAX'],
  [50, 'LDAP_INSUFFICIENT_ACCESS'],
  [53, 'LDAP_UNWILLING_TO_PERFORM'],
  [64, 'LDAP_NAMING_VIOLATION'],
  [65, 'LDAP_OBJECT_CLASS_VIOLATION'],
  [66, 'LDAP_NOT_ALLOWED_ON_NON_LEAF'],
  [68, 'LDAP_ALREADY_EXISTS'],
]);

export interface ReportedError {
  code: string;
  message: string;
}

/** A code and text for any error an LDAP call threw; the text is cut to what a result may carry. */
export function reportedError(error: unknown): ReportedError {
  const info = classifyLdapError(error);
  let code: string;
  if (info.adCode !== undefined) {
    code = WIN32_NAMES.get(info.adCode) ?? `WIN32_0x${info.adCode.toString(16).toUpperCase().padStart(8, '0')}`;
  } else if (info.code !== undefined) {
    code = LDAP_NAMES.get(info.code) ?? `LDAP_${info.code}`;
  } else {
    code = `LDAP_${info.reason.toUpperCase().replaceAll('-', '_')}`;
  }
  return { code, message: info.text.slice(0, 2000) };
}
