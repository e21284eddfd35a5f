// Classifies what an LDAP call threw, so the relay knows whether to retry (transient: the DC was busy,
// away or the connection broke) or to report and stop retrying (permanent: the request itself is wrong,
// or access / certificate configuration must change first).
import { ResultCodeError } from 'ldapts';

export type LdapErrorKind = 'transient' | 'permanent';

export type LdapErrorReason =
  | 'busy' // 51
  | 'unavailable' // 52, or a server-side time limit (3)
  | 'other' // 80: AD's catch-all (e.g. version store exhausted); retried a bounded number of times
  | 'not-bound' // 1 operationsError: typically "a successful bind must be completed" after a reconnect
  | 'connection' // socket errors, refused, reset, closed mid-request
  | 'timeout' // client-side connect or operation timeout
  | 'tls' // certificate verification or TLS handshake failure
  | 'credentials' // 49 invalidCredentials, 48 inappropriateAuthentication
  | 'strong-auth-required' // 8: the DC refuses a simple bind without transport encryption
  | 'result' // any other LDAP result code: the request is wrong for this directory
  | 'unknown'; // not an LDAP or socket error

export interface LdapErrorInfo {
  kind: LdapErrorKind;
  reason: LdapErrorReason;
  /** LDAP result code, when the DC answered with one. */
  code?: number;
  /** AD's extended error (the leading 8 hex digits of the diagnostic message, e.g. 0x562), when present. */
  adCode?: number;
  /** Node or TLS error code (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, ...), when there is one. */
  errno?: string;
  /** Human-readable text: the DC's diagnostic message or the client error message. */
  text: string;
}

const TRANSIENT_RESULT: ReadonlyMap<number, LdapErrorReason> = new Map([
  [1, 'not-bound'],
  [3, 'unavailable'],
  [51, 'busy'],
  [52, 'unavailable'],
  [80, 'other'],
]);

const CONNECTION_ERRNOS = new Set([
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
const CONNECTION_MESSAGES = [
  /^Socket error\./,
  /^Connection closed before message response was received/,
  /Socket connection not established/,
  /^StartTLS session lost/,
];
const TIMEOUT_MESSAGES = [/^Connection timeout$/, /Operation timed out$/];

function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

function isTlsErrno(errno: string): boolean {
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

export function classifyLdapError(error: unknown): LdapErrorInfo {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof ResultCodeError) {
    const adCode = adErrorCode(text);
    const base = { code: error.code, text, ...(adCode === undefined ? {} : { adCode }) };
    const transient = TRANSIENT_RESULT.get(error.code);
    if (transient) return { kind: 'transient', reason: transient, ...base };
    if (error.code === 49 || error.code === 48) return { kind: 'permanent', reason: 'credentials', ...base };
    if (error.code === 8 || error.code === 13) return { kind: 'permanent', reason: 'strong-auth-required', ...base };
    return { kind: 'permanent', reason: 'result', ...base };
  }
  const errno = errnoOf(error);
  const withErrno = errno === undefined ? { text } : { errno, text };
  if (errno && isTlsErrno(errno)) return { kind: 'permanent', reason: 'tls', ...withErrno };
  if (errno === 'ETIMEDOUT' || TIMEOUT_MESSAGES.some((re) => re.test(text))) {
    return { kind: 'transient', reason: 'timeout', ...withErrno };
  }
  if ((errno && CONNECTION_ERRNOS.has(errno)) || CONNECTION_MESSAGES.some((re) => re.test(text))) {
    return { kind: 'transient', reason: 'connection', ...withErrno };
  }
  // Unknown failures are permanent: retrying blindly could repeat a harmful write; the relay reports them.
  return { kind: 'permanent', reason: 'unknown', ...withErrno };
}

export function isTransientLdapError(error: unknown): boolean {
  return classifyLdapError(error).kind === 'transient';
}
