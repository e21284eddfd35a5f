// The facts errors.ts decides from: which Node errno values and ldapts messages mean a lost connection, a
// timeout or a TLS failure; AD's extended (Win32) error in a diagnostic text; and the readable codes results
// report. No decisions here. LDAP result codes are told apart by ldapts' one-class-per-result-code errors.
import {
  AlreadyExistsError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidDNSyntaxError,
  InvalidSyntaxError,
  NamingViolationError,
  NoSuchAttributeError,
  NoSuchObjectError,
  NotAllowedOnNonLeafError,
  ObjectClassViolationError,
  ResultCodeError,
  TypeOrValueExistsError,
  UndefinedTypeError,
  UnwillingToPerformError,
} from 'ldapts';

/** One of ldapts' result-code error classes (BusyError, NoSuchObjectError, ...). */
export type ResultClass = abstract new (...args: never[]) => ResultCodeError;

export const CONNECTION_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
]);

// ldapts reports these as plain Errors without a code.
export const CONNECTION_MESSAGES = [
  /^Socket error\./,
  /^Connection closed before message response was received/,
  /Socket connection not established/,
  /^StartTLS session lost/,
];
export const TIMEOUT_MESSAGES = [/^Connection timeout$/, /Operation timed out$/];

/** The Node or TLS error code (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, ...) an error carries, if any. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export function isTlsErrno(errno: string): boolean {
  return (
    errno.startsWith('ERR_TLS_') ||
    errno.startsWith('ERR_SSL_') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(errno)
  );
}

/** AD diagnostic messages start with the Win32 error in hex: `00000562: SvcErr: DSID-...`. */
export function adErrorCode(text: string): number | undefined {
  const match = /^([0-9A-Fa-f]{8}):/.exec(text);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

/** The Win32 errors of AD the relay decides on (the names are those of WIN32_NAMES below). */
export const AD = {
  ACCESS_DENIED: 0x5,
  MEMBER_NOT_IN_GROUP: 0x561,
  MEMBER_IN_GROUP: 0x562,
  /** Samba: "Unable to find GUID for DN" (a member SID no object has). */
  NO_GUID_FOR_DN: 0x2035,
  DS_INSUFF_ACCESS_RIGHTS: 0x2098,
} as const;

// Samba (4.17) advertises the permissive-modify control but does not apply it to `member`: it answers
// AlreadyExistsError "Attribute member already exists", and UnwillingToPerformError "Attribute member
// doesn't exist" / "already deleted" (a removed link it keeps) / 0x2035 (NO_GUID_FOR_DN above).
export const SAMBA_NOT_A_MEMBER = /Attribute member (doesn't exist|already deleted)|Unable to find GUID for DN/i;

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

const RESULT_NAMES: readonly (readonly [ResultClass, string])[] = [
  [NoSuchAttributeError, 'LDAP_NO_SUCH_ATTRIBUTE'],
  [UndefinedTypeError, 'LDAP_UNDEFINED_TYPE'],
  [ConstraintViolationError, 'LDAP_CONSTRAINT_VIOLATION'],
  [TypeOrValueExistsError, 'LDAP_ATTRIBUTE_OR_VALUE_EXISTS'],
  [InvalidSyntaxError, 'LDAP_INVALID_SYNTAX'],
  [NoSuchObjectError, 'LDAP_NO_SUCH_OBJECT'],
  [InvalidDNSyntaxError, 'LDAP_INVALID_DN_SYNTAX'],
  [InsufficientAccessError, 'LDAP_INSUFFICIENT_ACCESS'],
  [UnwillingToPerformError, 'LDAP_UNWILLING_TO_PERFORM'],
  [NamingViolationError, 'LDAP_NAMING_VIOLATION'],
  [ObjectClassViolationError, 'LDAP_OBJECT_CLASS_VIOLATION'],
  [NotAllowedOnNonLeafError, 'LDAP_NOT_ALLOWED_ON_NON_LEAF'],
  [AlreadyExistsError, 'LDAP_ALREADY_EXISTS'],
];

/**
 * A stable, readable code for a failure: AD's Win32 error name where the DC sent one, otherwise the LDAP
 * result name (`LDAP_<number>` for a result without one), otherwise the reason the failure was classified by.
 */
export function readableCode(error: unknown, classified: { adCode?: number; reason: string }): string {
  const { adCode, reason } = classified;
  if (adCode !== undefined) return WIN32_NAMES.get(adCode) ?? `WIN32_0x${adCode.toString(16).toUpperCase().padStart(8, '0')}`;
  if (error instanceof ResultCodeError) return RESULT_NAMES.find(([cls]) => error instanceof cls)?.[1] ?? `LDAP_${error.code}`;
  return `LDAP_${reason.toUpperCase().replaceAll('-', '_')}`;
}
