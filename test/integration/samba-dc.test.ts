// The real Samba AD DC: TLS is verified (and refused when it cannot be), a simple bind in clear text is
// refused by the DC, and users and groups of every scope can be created and read back by SID and GUID.
import { rootCertificates } from 'node:tls';
import { Client, EqualityFilter, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSambaDc, type SambaDc } from '../../dev/stack/samba.js';
import { LdapConfigError, connectLdap } from '../../relay/ldap/connect.js';
import { classifyLdapError } from '../../relay/ldap/errors.js';
import { escapeDnValue, firstRdnValue } from '../../relay/ldap/escape.js';
import { guidToExtendedDn, sidToBuffer, sidToExtendedDn } from '../../relay/ldap/sid.js';
import {
  addMembers,
  createGroup,
  createTestOu,
  createUser,
  findBySam,
  groupTypeValue,
  readObject,
  removeOu,
  uniqueSuffix,
  type GroupScope,
} from '../support/ad.js';
import { adminClient, getSambaDc } from '../support/samba.js';

let dc: SambaDc;
let admin: Client;
let ouDn: string;

beforeAll(async () => {
  dc = await getSambaDc();
  admin = await adminClient(dc);
  ouDn = await createTestOu(admin, dc, 'samba-dc-test');
});

afterAll(async () => {
  if (admin) {
    if (ouDn) await removeOu(admin, ouDn);
    await admin.unbind();
  }
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got success');
}

describe('the local Samba AD DC', () => {
  it('is reached over LDAPS with the certificate verified', async () => {
    expect(dc.url).toBe('ldaps://127.0.0.1:636');
    const client = await connectLdap({
      url: dc.url,
      tlsServerName: dc.tlsServerName,
      caPem: dc.caPem,
      bindDn: dc.adminUpn,
      password: dc.adminPassword,
    });
    try {
      const { searchEntries } = await client.search(dc.baseDn, { scope: 'base', attributes: ['distinguishedName'] });
      expect(searchEntries[0]?.dn.toLowerCase()).toBe(dc.baseDn.toLowerCase());
    } finally {
      await client.unbind();
    }
  });

  it('also works over ldap:// upgraded with StartTLS, verified the same way', async () => {
    const client = await connectLdap({
      url: 'ldap://127.0.0.1:389',
      startTls: true,
      tlsServerName: dc.tlsServerName,
      caPem: dc.caPem,
      bindDn: dc.adminBindDn,
      password: dc.adminPassword,
    });
    try {
      const { searchEntries } = await client.search(dc.baseDn, { scope: 'base', attributes: ['distinguishedName'] });
      expect(searchEntries).toHaveLength(1);
    } finally {
      await client.unbind();
    }
  });

  it('refuses a connection whose CA list does not hold the DC\'s CA', async () => {
    const error = await failureOf(
      connectLdap({
        url: dc.url,
        tlsServerName: dc.tlsServerName,
        caPem: rootCertificates.join('\n'),
        bindDn: dc.adminBindDn,
        password: dc.adminPassword,
      }),
    );
    expect(classifyLdapError(error)).toMatchObject({ kind: 'permanent', reason: 'tls' });
  });

  it('refuses a certificate that does not name the host connected to', async () => {
    // By IP address, without the server name: the certificate names DC1.writeback.test only.
    const byIp = await failureOf(
      connectLdap({ url: dc.url, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword }),
    );
    expect(classifyLdapError(byIp)).toMatchObject({ reason: 'tls', errno: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const otherName = await failureOf(
      connectLdap({
        url: dc.url,
        tlsServerName: 'dc2.writeback.test',
        caPem: dc.caPem,
        bindDn: dc.adminBindDn,
        password: dc.adminPassword,
      }),
    );
    expect(classifyLdapError(otherName)).toMatchObject({ reason: 'tls', errno: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('would accept the same connection without verification: the refusals above are about the certificate', async () => {
    // The one place verification is switched off: to show the only thing wrong above was the certificate.
    const client = new Client({ url: dc.url, tlsOptions: { rejectUnauthorized: false }, timeout: 10_000 });
    try {
      await client.bind(dc.adminBindDn, dc.adminPassword);
    } finally {
      await client.unbind();
    }
  });

  it('refuses a simple bind in clear text (the DC itself, and connectLdap before it)', async () => {
    const plain = new Client({ url: 'ldap://127.0.0.1:389', timeout: 10_000 });
    try {
      const error = await failureOf(plain.bind(dc.adminBindDn, dc.adminPassword));
      expect(classifyLdapError(error)).toMatchObject({ kind: 'permanent', reason: 'strong-auth-required', code: 8 });
    } finally {
      await plain.unbind();
    }
    await expect(
      connectLdap({ url: 'ldap://127.0.0.1:389', caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword }),
    ).rejects.toThrow(LdapConfigError);
  });

  it('refuses a wrong password as a permanent credentials error', async () => {
    const error = await failureOf(
      connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: 'wrong' }),
    );
    expect(classifyLdapError(error)).toMatchObject({ kind: 'permanent', reason: 'credentials', code: 49 });
  });

  it('is attached to, not started again, by a second ensureSambaDc()', async () => {
    const [again, concurrent] = await Promise.all([ensureSambaDc(), ensureSambaDc()]);
    expect(again.pid).toBe(dc.pid);
    expect(concurrent.pid).toBe(dc.pid);
    expect(again.dir).toBe(dc.dir);
    if (dc.startedByThisProcess) expect(dc.startedByRun).toBe(process.env['WRITEBACK_TEST_RUN_ID']);
  });
});

describe('objects in a test OU', () => {
  it.each<[GroupScope, boolean, number]>([
    ['global', true, -2147483646],
    ['domainLocal', true, -2147483644],
    ['universal', true, -2147483640],
    ['global', false, 2],
    ['domainLocal', false, 4],
    ['universal', false, 8],
  ])('creates a %s group (security %s) with groupType %i and reads back its SID and GUID', async (scope, security, groupType) => {
    expect(groupTypeValue(scope, security)).toBe(groupType);
    const sam = `g-${scope}-${security ? 'sec' : 'dist'}-${uniqueSuffix()}`;
    const group = await createGroup(admin, ouDn, sam, { scope, security });
    expect(group.groupType).toBe(groupType);
    expect(group.objectSid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(group.objectGUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // The string forms are the ones the DC itself understands.
    expect((await readObject(admin, guidToExtendedDn(group.objectGUID))).dn).toBe(group.dn);
    expect((await readObject(admin, sidToExtendedDn(group.objectSid))).dn).toBe(group.dn);
    expect(await findBySam(admin, dc.baseDn, sam)).toEqual(group);
  });

  it('creates a disabled user without a password, and an enabled one that can bind', async () => {
    const disabled = await createUser(admin, ouDn, `u-off-${uniqueSuffix()}`);
    expect(disabled.userAccountControl).toBe(514);
    expect(disabled.objectSid).toMatch(/^S-1-5-21-/);
    const sam = `u-on-${uniqueSuffix()}`;
    const password = `Pw-${uniqueSuffix()}-x1`;
    const enabled = await createUser(admin, ouDn, sam, { password });
    expect(enabled.userAccountControl).toBe(512);
    const asUser = await connectLdap({
      url: dc.url,
      tlsServerName: dc.tlsServerName,
      caPem: dc.caPem,
      bindDn: `${sam}@${dc.dnsDomain}`,
      password,
    });
    await asUser.unbind();
  });

  it('adds members by <SID=...> and <GUID=...> and finds objects by binary objectSid', async () => {
    const user = await createUser(admin, ouDn, `u-m-${uniqueSuffix()}`);
    const child = await createGroup(admin, ouDn, `g-child-${uniqueSuffix()}`, { scope: 'global', security: true });
    const parent = await createGroup(admin, ouDn, `g-parent-${uniqueSuffix()}`, { scope: 'universal', security: true });
    await addMembers(admin, parent.dn, [sidToExtendedDn(user.objectSid), guidToExtendedDn(child.objectGUID)]);
    expect((await readObject(admin, parent.dn)).member.sort()).toEqual([user.dn, child.dn].sort());
    const { searchEntries } = await admin.search(dc.baseDn, {
      scope: 'sub',
      filter: new EqualityFilter({ attribute: 'objectSid', value: sidToBuffer(user.objectSid) }),
      attributes: ['1.1'],
    });
    expect(searchEntries.map((e: Entry) => e.dn)).toEqual([user.dn]);
  });

  it('keeps names with DN and filter specials intact', async () => {
    const cn = ' Sales, EMEA + R&D = "best" <#1>; \\ ';
    const sam = `g(${uniqueSuffix()})`;
    const group = await createGroup(admin, ouDn, sam, { scope: 'universal', security: false, cn });
    expect(firstRdnValue(group.dn)).toBe(cn);
    expect(group.dn.endsWith(`,${ouDn}`)).toBe(true);
    expect((await readObject(admin, `CN=${escapeDnValue(cn)},${ouDn}`)).objectGUID).toBe(group.objectGUID);
    expect((await findBySam(admin, ouDn, sam))?.objectGUID).toBe(group.objectGUID);
    // An escaped `*` matches only itself, not everything.
    expect(await findBySam(admin, ouDn, 'g(*')).toBeUndefined();
  });
});
