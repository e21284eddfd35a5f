// Active Directory fixtures for tests: each test file works in its own OU under the domain, created with
// a unique name and deleted (with everything in it) afterwards.
import { randomBytes } from 'node:crypto';
import { Attribute, Change, escapeFilter, type Client, type Entry } from 'ldapts';
import type { SambaDc } from './samba.js';
import { escapeDnValue, parseDn } from '../../relay/ldap/escape.js';
import { guidToBuffer, guidToString, sidToString } from '../../relay/ldap/sid.js';

export type GroupScope = 'domainLocal' | 'global' | 'universal';

const SCOPE_BITS: Record<GroupScope, number> = { global: 0x2, domainLocal: 0x4, universal: 0x8 };

/** AD groupType as LDAP carries it: a signed 32-bit integer (the security bit 0x80000000 makes it negative). */
export function groupTypeValue(scope: GroupScope, security: boolean): number {
  return (SCOPE_BITS[scope] | (security ? 0x80000000 : 0)) | 0;
}

export interface AdObject {
  dn: string;
  /** `S-1-5-21-...` */
  objectSid: string;
  /** Canonical lowercase GUID. */
  objectGUID: string;
  sAMAccountName: string;
  objectClass: string[];
  groupType?: number;
  userAccountControl?: number;
  member: string[];
  adminDescription?: string;
}

const ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'objectClass',
  'groupType',
  'userAccountControl',
  'member',
  'adminDescription',
];

function first(value: Entry[string] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : v.toString();
}

function all(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => v.toString());
}

function buffer(value: Entry[string] | undefined, name: string): Buffer {
  const v = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(v)) throw new Error(`${name} missing or not binary`);
  return v;
}

function toAdObject(entry: Entry): AdObject {
  const groupType = first(entry['groupType']);
  const uac = first(entry['userAccountControl']);
  const adminDescription = first(entry['adminDescription']);
  return {
    dn: entry.dn,
    objectSid: sidToString(buffer(entry['objectSid'], 'objectSid')),
    objectGUID: guidToString(buffer(entry['objectGUID'], 'objectGUID')),
    sAMAccountName: first(entry['sAMAccountName']) ?? '',
    objectClass: all(entry['objectClass']),
    member: all(entry['member']),
    ...(groupType === undefined ? {} : { groupType: Number(groupType) }),
    ...(uac === undefined ? {} : { userAccountControl: Number(uac) }),
    ...(adminDescription === undefined ? {} : { adminDescription }),
  };
}

/** Reads one object by DN (or `<GUID=...>` / `<SID=...>`), with objectSid and objectGUID as strings. */
export async function readObject(client: Client, dn: string): Promise<AdObject> {
  const { searchEntries } = await client.search(dn, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ATTRIBUTES,
    explicitBufferAttributes: ['objectSid', 'objectGUID'],
  });
  const entry = searchEntries[0];
  if (!entry) throw new Error(`no object at ${dn}`);
  return toAdObject(entry);
}

/** Finds an object by sAMAccountName under `baseDn` (subtree). */
export async function findBySam(client: Client, baseDn: string, sam: string): Promise<AdObject | undefined> {
  const { searchEntries } = await client.search(baseDn, {
    scope: 'sub',
    filter: escapeFilter`(sAMAccountName=${sam})`,
    attributes: ATTRIBUTES,
    explicitBufferAttributes: ['objectSid', 'objectGUID'],
  });
  if (searchEntries.length > 1) throw new Error(`sAMAccountName ${sam} is not unique under ${baseDn}`);
  return searchEntries[0] ? toAdObject(searchEntries[0]) : undefined;
}

/** A short random suffix, so names from concurrent or repeated runs never collide. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Creates `OU=<name>-<random>` under the domain and returns its DN. */
export async function createTestOu(client: Client, dc: Pick<SambaDc, 'baseDn'>, name: string): Promise<string> {
  const dn = `OU=${escapeDnValue(`${name}-${uniqueSuffix()}`)},${dc.baseDn}`;
  await client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  return dn;
}

/** Deletes an OU and everything below it, deepest first. Missing OU: nothing to do. */
export async function removeOu(client: Client, ouDn: string): Promise<void> {
  let entries: Entry[];
  try {
    ({ searchEntries: entries } = await client.search(ouDn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] }));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 32) return;
    throw error;
  }
  const byDepth = entries.map((e) => e.dn).sort((a, b) => parseDn(b).length - parseDn(a).length);
  for (const dn of byDepth) {
    try {
      await client.del(dn);
    } catch (error) {
      // 32 noSuchObject: another process cleaning the same leftovers got there first.
      if (!(error instanceof Error && 'code' in error && error.code === 32)) throw error;
    }
  }
}

function dnsDomainOf(dn: string): string {
  return parseDn(dn)
    .filter((rdn) => rdn.type.toUpperCase() === 'DC')
    .map((rdn) => rdn.value)
    .join('.');
}

/** AD's unicodePwd: the password in double quotes, UTF-16LE. */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/**
 * Creates a user `CN=<sam>` in the OU. Without a password it is created disabled (userAccountControl 514);
 * with one it is enabled (512) so a test can bind as it.
 */
export async function createUser(client: Client, ouDn: string, sam: string, opts: { password?: string } = {}): Promise<AdObject> {
  const dn = `CN=${escapeDnValue(sam)},${ouDn}`;
  const attributes = [
    new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
    new Attribute({ type: 'sAMAccountName', values: [sam] }),
    new Attribute({ type: 'userPrincipalName', values: [`${sam}@${dnsDomainOf(ouDn)}`] }),
    new Attribute({ type: 'userAccountControl', values: [opts.password === undefined ? '514' : '512'] }),
  ];
  if (opts.password !== undefined) attributes.push(new Attribute({ type: 'unicodePwd', values: [unicodePwd(opts.password)] }));
  await client.add(dn, attributes);
  return readObject(client, dn);
}

export interface CreateGroupOptions {
  scope: GroupScope;
  security: boolean;
  /** CN when it should differ from the sAMAccountName (escaped here). */
  cn?: string;
  description?: string;
  adminDescription?: string;
}

export async function createGroup(client: Client, ouDn: string, sam: string, opts: CreateGroupOptions): Promise<AdObject> {
  const dn = `CN=${escapeDnValue(opts.cn ?? sam)},${ouDn}`;
  const attributes: Record<string, string | string[]> = {
    objectClass: ['top', 'group'],
    sAMAccountName: sam,
    groupType: String(groupTypeValue(opts.scope, opts.security)),
  };
  if (opts.description !== undefined) attributes['description'] = opts.description;
  if (opts.adminDescription !== undefined) attributes['adminDescription'] = opts.adminDescription;
  await client.add(dn, attributes);
  return readObject(client, dn);
}

/** Adds members (DNs or `<SID=...>` / `<GUID=...>` references) to a group. */
export async function addMembers(client: Client, groupDn: string, members: string[]): Promise<void> {
  await client.modify(groupDn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: members }) }));
}

/** Where device writeback puts devices: `CN=RegisteredDevices,<domain>` (class msDS-DeviceContainer). */
export function registeredDevicesDn(domainDn: string): string {
  return `CN=RegisteredDevices,${domainDn}`;
}

function ldapCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/**
 * Creates a device as AD Connect device writeback does: `CN=<deviceId>` of class msDS-Device under
 * CN=RegisteredDevices (created when missing), msDS-DeviceID = the cloud deviceId. Named by deviceId, so
 * runs do not collide; one a dead run left behind is replaced.
 */
export async function createDevice(client: Client, domainDn: string, deviceId: string): Promise<{ dn: string; objectGUID: string }> {
  const container = registeredDevicesDn(domainDn);
  try {
    await client.add(container, { objectClass: ['top', 'msDS-DeviceContainer'] });
  } catch (error) {
    // 68 entryAlreadyExists: created earlier (by AD Connect, another run or a concurrent one).
    if (ldapCode(error) !== 68) throw error;
  }
  const dn = `CN=${escapeDnValue(deviceId)},${container}`;
  const attributes = [
    new Attribute({ type: 'objectClass', values: ['top', 'msDS-Device'] }),
    new Attribute({ type: 'msDS-DeviceID', values: [guidToBuffer(deviceId)] }),
    new Attribute({ type: 'msDS-IsEnabled', values: ['TRUE'] }),
    new Attribute({ type: 'displayName', values: [deviceId] }),
    // Device writeback stores the device's certificate key here; any X509 value satisfies the schema.
    new Attribute({ type: 'altSecurityIdentities', values: [`X509:<SHA1-TP-PUBLICKEY>${deviceId.replace(/-/g, '')}`] }),
  ];
  try {
    await client.add(dn, attributes);
  } catch (error) {
    if (ldapCode(error) !== 68) throw error;
    await client.del(dn);
    await client.add(dn, attributes);
  }
  // Devices have no objectSid, so readObject does not apply.
  const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
  return { dn, objectGUID: guidToString(buffer(searchEntries[0]?.['objectGUID'], 'objectGUID')) };
}

/** Deletes a device created by createDevice; already gone is fine. */
export async function removeDevice(client: Client, dn: string): Promise<void> {
  try {
    await client.del(dn);
  } catch (error) {
    if (ldapCode(error) !== 32) throw error;
  }
}
