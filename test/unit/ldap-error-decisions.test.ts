import {
  AlreadyExistsError,
  BusyError,
  ConstraintViolationError,
  InsufficientAccessError,
  NoSuchAttributeError,
  NoSuchObjectError,
  OperationsError,
  StrongAuthRequiredError,
  TypeOrValueExistsError,
  UnknownStatusCodeError,
  UnwillingToPerformError,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  DirectoryUnavailableError,
  isConnectionLoss,
  isDirectoryAway,
  isDirectoryOutage,
  isTransient,
  isWatermarkConflict,
  memberAlreadyInState,
  RefusedError,
  reportedError,
  writeRefusal,
} from '../../relay/ldap/errors.js';

function errnoError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

const noDc = (permanent: boolean): DirectoryUnavailableError =>
  new DirectoryUnavailableError([{ url: 'ldaps://dc1', error: 'down' }], permanent);

describe('isTransient (a message that failed this way)', () => {
  it.each([
    ['a refusal', new RefusedError('NameCollision', 'taken'), false],
    ['no DC reachable', noDc(false), true],
    ['bind refused by every DC (fixed by an admin, retried)', noDc(true), true],
    ['DC busy', new BusyError('busy'), true],
    ['connection reset', errnoError('ECONNRESET'), true],
    ['no such object', new NoSuchObjectError('gone'), false],
    ['a bug', new TypeError('bug'), false],
  ])('%s', (_name, error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe('isDirectoryAway (closes the directory gate: no new groups until a DC answers)', () => {
  it.each([
    ['no DC reachable', noDc(false), true],
    ['DC busy', new BusyError('busy'), true],
    ['connection reset', errnoError('ECONNRESET'), true],
    ["AD's catch-all result 80 (this request, retried alone)", new UnknownStatusCodeError(80, '000020EF: version store'), false],
    ['a refusal', new RefusedError('NameCollision', 'taken'), false],
  ])('%s', (_name, error, away) => {
    expect(isDirectoryAway(error)).toBe(away);
  });
});

describe('isWatermarkConflict (another relay moved the applied watermark)', () => {
  it.each([
    ['the value read is gone', new NoSuchAttributeError('no matching attribute value'), true],
    ['a value was added meanwhile', new TypeOrValueExistsError('SINGLE-VALUE attribute specified more than once'), true],
    ['single value constraint (AD)', new ConstraintViolationError('000020B2'), true],
    ['no rights', new InsufficientAccessError('denied'), false],
  ])('%s', (_name, error, conflict) => {
    expect(isWatermarkConflict(error)).toBe(conflict);
  });
});

describe('isDirectoryOutage (at start-up)', () => {
  it('is an outage only when no DC answered, not when every DC refused the bind or the certificate', () => {
    expect(isDirectoryOutage(noDc(false))).toBe(true);
    expect(isDirectoryOutage(noDc(true))).toBe(false);
    expect(isDirectoryOutage(new BusyError('busy'))).toBe(false);
  });
});

describe('isConnectionLoss', () => {
  it.each([
    ['socket reset', errnoError('ECONNRESET'), true],
    ['ldapts timeout', new Error('Connection timeout'), true],
    ['not bound after a reconnect', new OperationsError('000004DC: LdapErr: a successful bind must be completed'), true],
    ['DC busy (transient, connection fine)', new BusyError('busy'), false],
    ['untrusted certificate', errnoError('SELF_SIGNED_CERT_IN_CHAIN'), false],
  ])('%s', (_name, error, lost) => {
    expect(isConnectionLoss(error)).toBe(lost);
  });
});

describe('memberAlreadyInState (a DC that ignores permissive modify)', () => {
  it.each([
    ['add: already exists', 'add', new AlreadyExistsError('Attribute member already exists'), true],
    ['add: value exists', 'add', new TypeOrValueExistsError('exists'), true],
    ['add: AD member in group', 'add', new UnwillingToPerformError('00000562: member in group'), true],
    ['add: constraint violation', 'add', new ConstraintViolationError('no'), false],
    ['add: not an LDAP result', 'add', new TypeError('Attribute member already exists'), false],
    ['delete: no such attribute', 'delete', new NoSuchAttributeError('none'), true],
    ['delete: member object gone', 'delete', new NoSuchObjectError('gone'), true],
    ['delete: AD member not in group', 'delete', new ConstraintViolationError('00000561: not in group'), true],
    ["delete: Samba doesn't exist", 'delete', new UnwillingToPerformError("Attribute member doesn't exist"), true],
    ['delete: Samba no GUID for the SID', 'delete', new UnwillingToPerformError('00002035: Unable to find GUID for DN'), true],
    ['delete: unwilling for another reason', 'delete', new UnwillingToPerformError('00002089: something else'), false],
    ['delete: already exists', 'delete', new AlreadyExistsError('exists'), false],
  ] as const)('%s', (_name, operation, error, done) => {
    expect(memberAlreadyInState(operation, error)).toBe(done);
  });
});

describe('writeRefusal (a failed write into the writeback OU)', () => {
  const OU = 'OU=Writeback,DC=example,DC=net';
  const attempt = (ouExists: boolean) => {
    const asked: boolean[] = [];
    const write = {
      doing: 'creating CN=Sales,' + OU,
      writebackOu: OU,
      ouExists: () => {
        asked.push(ouExists);
        return Promise.resolve(ouExists);
      },
    };
    return { write, asked };
  };

  it.each([
    ['insufficient access', new InsufficientAccessError('no rights')],
    ['AD access denied', new UnwillingToPerformError('00000005: SecErr: DSID-031A11E2, problem 4003')],
    ['AD insufficient access rights', new ConstraintViolationError('00002098: SecErr: DSID-03150F94')],
  ])('refuses %s as InsufficientAccessRights, naming the OU', async (_name, error) => {
    const { write, asked } = attempt(true);
    const refusal = await writeRefusal(error, write);
    expect(refusal).toBeInstanceOf(RefusedError);
    expect(refusal?.code).toBe('InsufficientAccessRights');
    expect(refusal?.message).toContain(`creating CN=Sales,${OU}: the relay's account lacks rights on ${OU}`);
    expect(asked).toEqual([]);
  });

  it('refuses a missing object as WritebackOuMissing only when the OU itself is missing', async () => {
    const missing = attempt(false);
    expect((await writeRefusal(new NoSuchObjectError('no such object'), missing.write))?.code).toBe('WritebackOuMissing');
    expect(missing.asked).toEqual([false]);
    const present = attempt(true);
    expect(await writeRefusal(new NoSuchObjectError('no such object'), present.write)).toBeNull();
    expect(present.asked).toEqual([true]);
  });

  it('refuses a name taken by a foreign object as NameCollision', async () => {
    const refusal = await writeRefusal(new AlreadyExistsError('00002071: UpdErr: DSID-0305038D'), attempt(true).write);
    expect(refusal?.code).toBe('NameCollision');
    expect(refusal?.message).toContain('00002071: UpdErr');
  });

  it.each([
    ['transient, even with an access-denied text', new BusyError('00000005: busy')],
    ['another permanent result', new ConstraintViolationError('too long')],
    ['not an LDAP result', errnoError('ECONNRESET')],
  ])('leaves %s as it is', async (_name, error) => {
    const { write, asked } = attempt(false);
    expect(await writeRefusal(error, write)).toBeNull();
    expect(asked).toEqual([]);
  });
});

describe('reportedError', () => {
  it.each([
    ['a refusal: its own code and text', new RefusedError('AmbiguousAnchor', 'two groups'), 'AmbiguousAnchor'],
    ["AD's Win32 name", new UnwillingToPerformError('00000562: member in group'), 'ERROR_MEMBER_IN_GROUP'],
    ['an unnamed Win32 code', new UnwillingToPerformError('0000ABCD: odd'), 'WIN32_0x0000ABCD'],
    ['the LDAP result name', new NoSuchObjectError('no such object'), 'LDAP_NO_SUCH_OBJECT'],
    ['a result without a name', new StrongAuthRequiredError('encrypt'), 'LDAP_8'],
    ['a result ldapts has no class for', new UnknownStatusCodeError(80, 'other'), 'LDAP_80'],
    ['a socket failure', errnoError('ECONNRESET'), 'LDAP_CONNECTION'],
    ['a Win32 code before the result', new StrongAuthRequiredError('00002028: strong auth'), 'WIN32_0x00002028'],
    ['anything else', new TypeError('bug'), 'LDAP_UNKNOWN'],
  ])('%s', (_name, error, code) => {
    expect(reportedError(error)).toEqual({ code, message: error.message });
  });

  it('cuts an LDAP text to what a result may carry', () => {
    expect(reportedError(new NoSuchObjectError('x'.repeat(3000))).message).toHaveLength(2000);
  });
});
