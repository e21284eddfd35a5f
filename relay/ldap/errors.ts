// What a failure means for the relay, decided here and nowhere else: transient (retry: the DC was busy or
// away, the connection broke) or permanent (report: the request is wrong, or access or certificate
// configuration must change first); the code a result reports; when a message is refused; and when a
// failed member write means the member is already as wanted. Callers ask; none looks at result codes.
// LDAP results are told apart by ldapts' error classes; the tables read here are in error-codes.ts, and the
// relay's own failures (RefusedError, DirectoryUnavailableError) in failures.ts, exported from here.
import {
  AlreadyExistsError, BusyError, ConfidentialityRequiredError, ConstraintViolationError, InappropriateAuthError, InsufficientAccessError, InvalidCredentialsError,
  NoSuchAttributeError, NoSuchObjectError, OperationsError, ResultCodeError, StrongAuthRequiredError, TimeLimitExceededError,
  TypeOrValueExistsError, UnavailableError, UnknownStatusCodeError, UnwillingToPerformError,
} from 'ldapts';
import { AD, adErrorCode, CONNECTION_ERRNOS, CONNECTION_MESSAGES, errnoOf, isTlsErrno, readableCode, SAMBA_NOT_A_MEMBER, TIMEOUT_MESSAGES, type ResultClass } from './error-codes.js';
import { DirectoryUnavailableError, RefusedError } from './failures.js';

export { DirectoryUnavailableError, RefusedError };

export type LdapErrorKind = 'transient' | 'permanent';

export type LdapErrorReason =
  | 'busy' // BusyError
  | 'unavailable' // UnavailableError, or a server-side time limit (TimeLimitExceededError)
  | 'other' // result 80: AD's catch-all (e.g. version store exhausted); retried a bounded number of times
  | 'not-bound' // OperationsError: typically "a successful bind must be completed" after a reconnect
  | 'connection' // socket errors, refused, reset, closed mid-request
  | 'timeout' // client-side connect or operation timeout
  | 'tls' // certificate verification or TLS handshake failure
  | 'credentials' // InvalidCredentialsError, InappropriateAuthError
  | 'strong-auth-required' // StrongAuthRequiredError, ConfidentialityRequiredError: a simple bind needs encryption
  | 'result' // any other LDAP result: the request is wrong for this directory
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

const RESULT_REASONS: readonly (readonly [ResultClass, LdapErrorReason])[] = [
  [OperationsError, 'not-bound'],
  [TimeLimitExceededError, 'unavailable'],
  [BusyError, 'busy'],
  [UnavailableError, 'unavailable'],
  [InvalidCredentialsError, 'credentials'],
  [InappropriateAuthError, 'credentials'],
  [StrongAuthRequiredError, 'strong-auth-required'],
  [ConfidentialityRequiredError, 'strong-auth-required'],
];
const TRANSIENT_REASONS: ReadonlySet<LdapErrorReason> = new Set(['not-bound', 'unavailable', 'busy', 'other']);

function resultReason(error: ResultCodeError): LdapErrorReason {
  // ldapts has no class for result 80 (AD's "other"): it arrives as UnknownStatusCodeError with the number.
  if (error instanceof UnknownStatusCodeError && error.code === 80) return 'other';
  return RESULT_REASONS.find(([cls]) => error instanceof cls)?.[1] ?? 'result';
}

/** What one LDAP call (or connect) threw: transient or permanent, and why. */
export function classifyLdapError(error: unknown): LdapErrorInfo {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof ResultCodeError) {
    const adCode = adErrorCode(text);
    const reason = resultReason(error);
    const kind = TRANSIENT_REASONS.has(reason) ? 'transient' : 'permanent';
    return { kind, reason, code: error.code, text, ...(adCode === undefined ? {} : { adCode }) };
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

/** The connection broke while an operation was in flight (or before it started): reconnect. */
export function isConnectionLoss(error: unknown): boolean {
  const info = classifyLdapError(error);
  return info.kind === 'transient' && (info.reason === 'connection' || info.reason === 'timeout' || info.reason === 'not-bound');
}

/** Whether a message that failed this way is worth a retry: the DC or the queue was away, not the message wrong. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RefusedError) return false;
  if (error instanceof DirectoryUnavailableError) return true;
  return isTransientLdapError(error);
}

/**
 * Whether a transient failure says the directory itself is away or overloaded (no DC reachable, connection
 * lost, timeout, busy, unavailable), so no other group would fare better now; AD's catch-all result 80
 * ('other') concerns the request and is retried for that message alone.
 */
export function isDirectoryAway(error: unknown): boolean {
  if (error instanceof DirectoryUnavailableError) return true;
  const info = classifyLdapError(error);
  return info.kind === 'transient' && info.reason !== 'other';
}

/** At start-up: no DC answered. An outage, not configuration: the relay runs and messages wait for a DC. */
export function isDirectoryOutage(error: unknown): error is DirectoryUnavailableError {
  return error instanceof DirectoryUnavailableError && !error.permanent;
}

export function isNoSuchObject(error: unknown): boolean {
  return error instanceof NoSuchObjectError;
}

/** A failed member add or removal that leaves the member in the wanted state (a DC ignored permissive modify). */
export function memberAlreadyInState(operation: 'add' | 'delete', error: unknown): boolean {
  if (!(error instanceof ResultCodeError)) return false;
  const adCode = adErrorCode(error.message);
  if (operation === 'add') return error instanceof AlreadyExistsError || error instanceof TypeOrValueExistsError || adCode === AD.MEMBER_IN_GROUP;
  // Removing a non-member, or a member whose object no longer exists.
  if (error instanceof NoSuchAttributeError || error instanceof NoSuchObjectError || adCode === AD.MEMBER_NOT_IN_GROUP) return true;
  return error instanceof UnwillingToPerformError && (adCode === AD.NO_GUID_FOR_DN || SAMBA_NOT_A_MEMBER.test(error.message));
}

/** A modify guarded by the applied watermark failed because the watermark is no longer the value read
 *  (its old value is gone, or a value was added meanwhile): another relay wrote the group. */
export function isWatermarkConflict(error: unknown): boolean {
  return error instanceof NoSuchAttributeError || error instanceof TypeOrValueExistsError || error instanceof ConstraintViolationError;
}

/** A write into the writeback OU (create, rename or move, attribute update) that failed. */
export interface OuWrite {
  /** What was being done, for the refusal's text: `creating CN=...`. */
  doing: string;
  writebackOu: string;
  /** Where the rights may be missing, when not only on the writeback OU (a group moved in from elsewhere). */
  rightsOn?: string;
  /** Asked only when the failure says an object is missing. */
  ouExists: () => Promise<boolean>;
}

/** The refusal a failed write into the writeback OU stands for, or null when the failure stays as it is. */
export async function writeRefusal(error: unknown, write: OuWrite): Promise<RefusedError | null> {
  if (!(error instanceof ResultCodeError) || isTransientLdapError(error)) return null;
  const adCode = adErrorCode(error.message);
  if (error instanceof InsufficientAccessError || adCode === AD.ACCESS_DENIED || adCode === AD.DS_INSUFF_ACCESS_RIGHTS) {
    return new RefusedError(
      'InsufficientAccessRights',
      `${write.doing}: the relay's account lacks rights on ${write.rightsOn ?? write.writebackOu} (${error.message}). ` +
        'Grant create/delete group objects and read/write all properties of groups there (docs/relay.md).',
    );
  }
  if (error instanceof NoSuchObjectError && !(await write.ouExists())) {
    return new RefusedError('WritebackOuMissing', `the writeback OU ${write.writebackOu} does not exist`);
  }
  if (error instanceof AlreadyExistsError) {
    return new RefusedError(
      'NameCollision',
      `${write.doing}: an object with this name already exists and does not carry the group's anchor (${error.message})`,
    );
  }
  return null;
}

export interface ReportedError {
  code: string;
  message: string;
}

/** The code and text a result reports for a permanent failure; an LDAP text is cut to what a result may carry. */
export function reportedError(error: unknown): ReportedError {
  if (error instanceof RefusedError) return { code: error.code, message: error.message };
  const info = classifyLdapError(error);
  return { code: readableCode(error, info), message: info.text.slice(0, 2000) };
}
