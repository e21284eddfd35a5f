// The relay's pure parts: chunking, member key sets by SID/GUID, member error bounds, AD's nesting rules,
// header diffs, snapshot assembly, ranged-attribute paging and DN handling.
import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { cnRdn, isWithin, parentDn, sameDn } from '../../relay/ldap/dn.js';
import { rangedValues } from '../../relay/ldap/ranged-members.js';
import { chunk } from '../../relay/apply/chunk.js';
import { attributeChanges, attributesForCreate, desiredAttributes } from '../../relay/apply/header-attributes.js';
import { parseExtendedDn } from '../../relay/apply/member-identity.js';
import { MemberKeySet, SidDomains } from '../../relay/apply/member-keys.js';
import { boundedErrors, MAX_MEMBER_ERRORS, MemberErrorTally } from '../../relay/apply/member-errors.js';
import type { MemberError } from '../../shared/contracts/result-message.js';
import { nestingViolation } from '../../relay/apply/scope-rules.js';
import { SnapshotAssembly } from '../../relay/consume/snapshot-assembly.js';
import { unescapeDnValue } from '../../relay/ldap/escape.js';

describe('chunk', () => {
  it('splits into bounded consecutive chunks', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(chunk([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
    const big = Array.from({ length: 2501 }, (_, i) => i);
    const chunks = chunk(big, 1000);
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 501]);
    expect(chunks.flat()).toEqual(big);
  });

  it('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('extended DN values', () => {
  it('parses GUID, SID and the plain DN', () => {
    const m = parseExtendedDn(
      '<GUID=7AFA5314-947f-4db8-a913-d73e222bcf1d>;<SID=S-1-5-21-1-2-3-1122>;CN=Smith\\, Ann,OU=People,DC=corp,DC=example',
    );
    expect(m).toEqual({ guid: '7afa5314-947f-4db8-a913-d73e222bcf1d', sid: 'S-1-5-21-1-2-3-1122', dn: 'CN=Smith\\, Ann,OU=People,DC=corp,DC=example' });
  });

  it('accepts objects without a SID and refuses values without a GUID', () => {
    expect(parseExtendedDn('<GUID=7afa5314-947f-4db8-a913-d73e222bcf1d>;CN=dev1,DC=x').sid).toBeNull();
    expect(() => parseExtendedDn('CN=plain,DC=x')).toThrow(/GUID/);
  });
});

describe('member key sets', () => {
  const current = [
    { guid: 'a0000000-0000-0000-0000-000000000001', sid: 'S-1-5-21-1-2-3-1001', dn: 'CN=keep-by-sid' },
    { guid: 'a0000000-0000-0000-0000-000000000002', sid: null, dn: 'CN=device-by-guid' },
    { guid: 'a0000000-0000-0000-0000-000000000003', sid: 'S-1-5-21-9-9-9-1001', dn: 'CN=same-rid-other-domain' },
    { guid: 'a0000000-0000-0000-0000-000000000004', sid: 'S-1-5-32-544', dn: 'CN=builtin' },
  ];

  it('finds members by SID (case-insensitive, domain and RID both count) or, without a SID, by GUID', () => {
    const domains = new SidDomains();
    const set = new MemberKeySet(domains);
    for (const m of current) set.add(m);
    set.seal();
    expect(set.size).toBe(4);
    expect(set.has({ sid: 's-1-5-21-1-2-3-1001', guid: null })).toBe(true);
    expect(set.has({ sid: 'S-1-5-21-9-9-9-1001', guid: null })).toBe(true);
    expect(set.has({ sid: 'S-1-5-21-1-2-3-1002', guid: null })).toBe(false);
    expect(set.has({ sid: 'S-1-5-21-1-2-4-1001', guid: null })).toBe(false);
    expect(set.has({ sid: 'S-1-5-32-544', guid: null })).toBe(true);
    expect(set.has({ sid: null, guid: 'A0000000-0000-0000-0000-000000000002' })).toBe(true);
    expect(set.has({ sid: null, guid: 'a0000000-0000-0000-0000-000000000001' })).toBe(false);
  });

  it('grows past its first room, keeps the largest RIDs, and answers only once sealed', () => {
    const set = new MemberKeySet(new SidDomains());
    const rids = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5003).concat([4294967295]);
    for (const rid of rids) set.add({ sid: `S-1-5-21-1-2-3-${rid}`, guid: null });
    expect(() => set.has({ sid: 'S-1-5-21-1-2-3-1', guid: null })).toThrow(/not sealed/);
    set.seal();
    expect(rids.every((rid) => set.has({ sid: `S-1-5-21-1-2-3-${rid}`, guid: null }))).toBe(true);
    expect(set.has({ sid: 'S-1-5-21-1-2-3-5003', guid: null })).toBe(false);
    expect(() => set.add({ sid: 'S-1-5-21-1-2-3-1', guid: null })).toThrow(/sealed/);
  });

  it('counts the members another set does not hold (drift), by SID or GUID', () => {
    const domains = new SidDomains();
    const have = new MemberKeySet(domains);
    const want = new MemberKeySet(domains);
    for (const m of current) have.add(m);
    want.add({ sid: 'S-1-5-21-1-2-3-1001', guid: null });
    want.add({ sid: null, guid: 'a0000000-0000-0000-0000-000000000002' });
    want.add({ sid: 'S-1-5-21-1-2-3-7777', guid: null });
    have.seal();
    want.seal();
    expect(have.countNotIn(want)).toBe(2);
    expect(want.countNotIn(have)).toBe(1);
    expect(have.countNotIn(have)).toBe(0);
    expect(() => have.countNotIn(new MemberKeySet(new SidDomains()).seal())).toThrow(/different SID domains/);
  });

  it('keeps SIDs whose last part is no 32-bit RID as text', () => {
    const set = new MemberKeySet(new SidDomains());
    set.add({ sid: 'S-1-5-21-1-2-3-99999999999', guid: null });
    set.seal();
    expect(set.has({ sid: 'S-1-5-21-1-2-3-99999999999', guid: null })).toBe(true);
    expect(set.has({ sid: 'S-1-5-21-1-2-3-1215752191', guid: null })).toBe(false);
  });
});

describe('member error tally', () => {
  const error = (i: number): MemberError => ({ member: `m${i}`, code: 'X', message: 'x'.repeat(600) });

  it('lists every error up to the limit, text cut to 500 characters', () => {
    const t = new MemberErrorTally();
    t.push(Array.from({ length: MAX_MEMBER_ERRORS }, (_, i) => error(i)));
    expect(t.list()).toHaveLength(MAX_MEMBER_ERRORS);
    expect(t.list()[0]!.message).toHaveLength(500);
  });

  it('beyond it, lists the first ones and how many more, and bounding again changes nothing', () => {
    const t = new MemberErrorTally();
    t.push(Array.from({ length: 1000 }, (_, i) => error(i)));
    const listed = t.list();
    expect(t.count).toBe(1000);
    expect(listed).toHaveLength(MAX_MEMBER_ERRORS);
    expect(listed[MAX_MEMBER_ERRORS - 1]).toEqual({ member: '*', code: 'MoreMemberErrors', message: '801 more member errors are not listed (see the relay log)' });
    expect(boundedErrors(listed)).toEqual(listed);
  });
});

describe('AD nesting rules', () => {
  const UNIVERSAL_SECURITY = -2147483640;
  const DOMAIN_LOCAL_SECURITY = -2147483644;
  const GLOBAL_SECURITY = -2147483646;

  it('a universal group cannot hold a domain-local group, with AD\'s text', () => {
    expect(nestingViolation(UNIVERSAL_SECURITY, DOMAIN_LOCAL_SECURITY)).toEqual({
      code: 'ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER',
      message: 'A universal group cannot have a local group as a member.',
    });
    expect(nestingViolation(8, 4)?.code).toBe('ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER');
  });

  it('a universal group may hold global and universal groups', () => {
    expect(nestingViolation(UNIVERSAL_SECURITY, GLOBAL_SECURITY)).toBeNull();
    expect(nestingViolation(UNIVERSAL_SECURITY, 8)).toBeNull();
  });

  it('a global group may hold neither domain-local nor universal groups', () => {
    expect(nestingViolation(GLOBAL_SECURITY, DOMAIN_LOCAL_SECURITY)?.code).toBe('ERROR_DS_GLOBAL_CANT_HAVE_LOCAL_MEMBER');
    expect(nestingViolation(GLOBAL_SECURITY, UNIVERSAL_SECURITY)?.code).toBe('ERROR_DS_GLOBAL_CANT_HAVE_UNIVERSAL_MEMBER');
  });
});

describe('managed attributes', () => {
  const header: GroupHeader = {
    anchor: 'Group_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    cn: 'Sales_a5b4c3d2e1f0',
    samAccountName: 'Group_0f1e2d3c4b5a6978',
    displayName: 'Sales',
    description: null,
    adGroupType: 'universalDistributionGroup',
    groupType: 8,
    mail: { mail: 'sales@corp.example', mailNickname: 'sales', proxyAddresses: ['SMTP:sales@corp.example', 'smtp:s@corp.example'] },
  };

  it('writes mail attributes only where the schema has them', () => {
    const attrs = desiredAttributes(header, new Set(['mail', 'proxyaddresses']));
    expect(attrs.get('mail')).toEqual(['sales@corp.example']);
    expect(attrs.has('mailNickname')).toBe(false);
    expect(attrs.has('msDS-ExternalDirectoryObjectId')).toBe(false);
    expect(attrs.get('description')).toEqual([]);
  });

  it('leaves mail attributes alone when the message carries none', () => {
    const attrs = desiredAttributes({ ...header, mail: null }, new Set(['mail', 'proxyaddresses', 'mailnickname']));
    expect(attrs.has('mail')).toBe(false);
    expect(attrs.has('proxyAddresses')).toBe(false);
  });

  it('creates with present values only', () => {
    const record = attributesForCreate(desiredAttributes(header, new Set()), header.cn);
    expect(record).toEqual({
      objectClass: ['group'],
      cn: [header.cn],
      sAMAccountName: [header.samAccountName],
      displayName: ['Sales'],
      groupType: ['8'],
      adminDescription: [header.anchor],
    });
  });

  it('replaces only what differs, never sAMAccountName; multi-valued compared as sets; absent means remove', () => {
    const desired = desiredAttributes({ ...header, description: null }, new Set(['mail', 'proxyaddresses']));
    const current = new Map<string, string[]>([
      ['samaccountname', ['Group_AadcOwnName']],
      ['displayname', ['Old sales']],
      ['description', ['edited by hand']],
      ['grouptype', ['8']],
      ['admindescription', [header.anchor]],
      ['mail', ['sales@corp.example']],
      ['proxyaddresses', ['smtp:s@corp.example', 'SMTP:sales@corp.example']],
    ]);
    expect(attributeChanges(desired, current)).toEqual([
      { type: 'displayName', values: ['Sales'] },
      { type: 'description', values: [] },
    ]);
  });
});

describe('snapshot assembly', () => {
  it('waits for consecutive parts and completes with all', () => {
    const a = new SnapshotAssembly<string>('s1', 3);
    expect(a.add(1, 'p1')).toBe('waiting');
    expect(a.add(2, 'p2')).toBe('waiting');
    expect(a.add(3, 'p3')).toBe('complete');
    expect(a.messages()).toEqual(['p1', 'p2', 'p3']);
  });

  it('is incomplete when a part is skipped (FIFO: it never comes)', () => {
    const a = new SnapshotAssembly<string>('s1', 4);
    a.add(1, 'p1');
    expect(a.add(3, 'p3')).toBe('incomplete');
    expect(a.missingParts()).toEqual([2, 4]);
    const b = new SnapshotAssembly<string>('s2', 2);
    expect(b.add(2, 'p2')).toBe('incomplete');
  });

  it('a single-part snapshot is complete at once', () => {
    expect(new SnapshotAssembly<string>('s', 1).add(1, 'p')).toBe('complete');
  });
});

describe('ranged member values', () => {
  it('follows the range to the next index and stops at *', () => {
    expect(rangedValues({ dn: 'x', 'member;range=0-1499': ['a', 'b'] } as Entry)).toEqual({ values: ['a', 'b'], next: 1500 });
    expect(rangedValues({ dn: 'x', 'member;range=1500-*': ['c'] } as Entry)).toEqual({ values: ['c'], next: null });
    expect(rangedValues({ dn: 'x', member: 'd' } as Entry)).toEqual({ values: ['d'], next: null });
    expect(rangedValues({ dn: 'x' } as Entry)).toEqual({ values: [], next: null });
  });

  it('takes the answered range, not the empty echo of the requested one', () => {
    const entry = { dn: 'x', 'member;range=1500-*': ['c', 'd'], 'member;range=1500-2999': [] } as unknown as Entry;
    expect(rangedValues(entry)).toEqual({ values: ['c', 'd'], next: null });
    const past = { dn: 'x', 'member;range=1600-*': [] } as unknown as Entry;
    expect(rangedValues(past)).toEqual({ values: [], next: null });
  });
});

describe('DNs', () => {
  it('escapes a cn for a DN, with a backslash as \\5c', () => {
    expect(cnRdn('Sales, EMEA')).toBe('CN=Sales\\, EMEA');
    expect(cnRdn('a\\b')).toBe('CN=a\\5cb');
    expect(unescapeDnValue(cnRdn('a\\b').slice(3))).toBe('a\\b');
  });

  it('compares DNs case-insensitively with escapes resolved', () => {
    expect(sameDn('OU=Writeback,DC=corp,DC=example', 'ou=writeback, dc=CORP,dc=example'.replace(', ', ','))).toBe(true);
    expect(sameDn('CN=a\\2cb,DC=x', 'CN=a\\,b,DC=x')).toBe(true);
    expect(sameDn('OU=a,DC=x', 'OU=b,DC=x')).toBe(false);
    expect(parentDn('CN=Sales\\, EMEA,OU=Writeback,DC=corp')).toBe('OU=Writeback,DC=corp');
    expect(isWithin('CN=g,OU=Sub,OU=Writeback,DC=corp', 'OU=Writeback,DC=corp')).toBe(true);
    expect(isWithin('CN=g,OU=Other,DC=corp', 'OU=Writeback,DC=corp')).toBe(false);
    expect(isWithin('CN=g,OU=NotWriteback,DC=corp', 'OU=Writeback,DC=corp')).toBe(false);
  });
});
