import { describe, expect, it } from 'vitest';
import {
  BusyError,
  AlreadyExistsError,
  InvalidCredentialsError,
  OperationsError,
  StrongAuthRequiredError,
  UnavailableError,
  UnknownStatusCodeError,
  UnwillingToPerformError,
} from 'ldapts';
import { adErrorCode } from '../../relay/ldap/error-codes.js';
import { classifyLdapError, isTransientLdapError } from '../../relay/ldap/errors.js';

function errnoError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyLdapError', () => {
  it.each([
    ['busy (51)', new BusyError('busy'), 'transient', 'busy', 51],
    ['unavailable (52)', new UnavailableError('unavailable'), 'transient', 'unavailable', 52],
    ['other (80)', new UnknownStatusCodeError(80, '00002024: version store'), 'transient', 'other', 80],
    ['operations error (1) after a reconnect', new OperationsError('000004DC: LdapErr: a successful bind must be completed'), 'transient', 'not-bound', 1],
    ['invalid credentials (49)', new InvalidCredentialsError('80090308: data 52e'), 'permanent', 'credentials', 49],
    ['strong auth required (8)', new StrongAuthRequiredError('Transport encryption required.'), 'permanent', 'strong-auth-required', 8],
    ['already exists (68)', new AlreadyExistsError('00000562: member in group'), 'permanent', 'result', 68],
    ['unwilling (53)', new UnwillingToPerformError('00000561: no such member'), 'permanent', 'result', 53],
  ])('%s', (_name, error, kind, reason, code) => {
    expect(classifyLdapError(error)).toMatchObject({ kind, reason, code });
  });

  it('reads AD extended error codes from the diagnostic message', () => {
    expect(classifyLdapError(new AlreadyExistsError('00000562: UpdErr: DSID-031A11E2, problem 6005')).adCode).toBe(0x562);
    expect(adErrorCode('no code here')).toBeUndefined();
  });

  it.each([
    ['connection reset', errnoError('ECONNRESET'), 'transient', 'connection'],
    ['connection refused', errnoError('ECONNREFUSED'), 'transient', 'connection'],
    ['socket timeout', errnoError('ETIMEDOUT'), 'transient', 'timeout'],
    ['ldapts connect timeout', new Error('Connection timeout'), 'transient', 'timeout'],
    ['ldapts operation timeout', new Error('SearchRequest: Operation timed out'), 'transient', 'timeout'],
    ['ldapts closed connection', new Error('Connection closed before message response was received. Message type: SearchRequest (0x63)'), 'transient', 'connection'],
    ['lost StartTLS session', new Error('StartTLS session lost; open a new LDAP connection'), 'transient', 'connection'],
    ['self-signed certificate', errnoError('SELF_SIGNED_CERT_IN_CHAIN'), 'permanent', 'tls'],
    ['untrusted leaf', errnoError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'permanent', 'tls'],
    ['host name mismatch', errnoError('ERR_TLS_CERT_ALTNAME_INVALID'), 'permanent', 'tls'],
    ['anything else', new TypeError('bug'), 'permanent', 'unknown'],
  ])('%s', (_name, error, kind, reason) => {
    expect(classifyLdapError(error)).toMatchObject({ kind, reason });
    expect(isTransientLdapError(error)).toBe(kind === 'transient');
  });
});
