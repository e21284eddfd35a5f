// gwb status and gwb group against a fake admin API with the contract's shapes: tables, paging, the exit
// code for failed and held groups, and names looked up with /api/status?search= (exact, unique, or listed).
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, gwb, summary, type FakeApi } from './fake-api.js';

const A = '0bc7e5a1-1111-4c44-8d55-66778899aabb';
const B = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const C = '0bc7e5a1-3333-4c44-8d55-66778899aabb';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('gwb status', () => {
  it('prints a table of the page, counts failed and held among all that match, and exits 1 for them', async () => {
    api = await fakeApi({
      'GET /api/status': (r) => {
        const state = r.query.get('state');
        if (state === 'failed') return { json: { count: 1, value: [summary(C, 'Legal', 'failed')], nextSkip: 1 } };
        if (state === 'held') return { json: { count: 2, value: [summary(C, 'Legal', 'held')], nextSkip: 1 } };
        return {
          json: {
            count: 5,
            value: [summary(A, 'Finance', 'written'), summary(B, 'Sales', 'partial', { reason: '1 member(s) not written', members: { planned: 1200, cloudOnly: 2, errors: 1 } })],
            nextSkip: 2,
          },
        };
      },
    });
    const r = await gwb(api, ['status', '--search', 'a']);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      'NAME     STATE    MEMBERS  CLOUD-ONLY  ERRORS  LAST RESULT           GROUP ID                              REASON',
      `Finance  written        3           1       0  2026-12-01 10:00:05Z  ${A}  -`,
      `Sales    partial    1,200           2       1  2026-12-01 10:00:05Z  ${B}  1 member(s) not written`,
      '2 of 5 groups shown (--all lists every one); 1 failed, 2 held: gwb group <name> shows why, gwb held lists what waits for approval',
    ]);
    expect(api.requests.map((q) => `${q.method} ${q.path}?${q.query.toString()}`)).toEqual([
      'GET /api/status?search=a&top=100',
      'GET /api/status?state=failed&search=a&top=1',
      'GET /api/status?state=held&search=a&top=1',
    ]);
    expect(api.requests.every((q) => q.authorization === 'Bearer test-token')).toBe(true);
  });

  it('--all follows nextSkip to the end; --json prints every group; nothing failed or held: exit 0', async () => {
    api = await fakeApi({
      'GET /api/status': (r) =>
        r.query.get('skip') === '2'
          ? { json: { count: 3, value: [summary(C, 'Legal', 'written')], nextSkip: null } }
          : { json: { count: 3, value: [summary(A, 'Finance', 'written'), summary(B, 'Sales', 'skipped')], nextSkip: 2 } },
    });
    const r = await gwb(api, ['status', '--all', '--json']);
    expect(r.code).toBe(0);
    const page = JSON.parse(r.out.join('\n')) as { count: number; value: { groupId: string }[]; nextSkip: null };
    expect(page).toMatchObject({ count: 3, nextSkip: null });
    expect(page.value.map((g) => g.groupId)).toEqual([A, B, C]);
    expect(api.requests.map((q) => q.query.toString())).toEqual(['top=1000', 'top=1000&skip=2']);
  });

  it('--state held is itself the problem: exit 1 when the count is not 0, without counting again', async () => {
    const members = { planned: null, cloudOnly: 0, errors: 0 }; // planned: unknown on rows older than the count
    api = await fakeApi({ 'GET /api/status': () => ({ json: { count: 1, value: [summary(C, 'Legal', 'held', { reason: 'deletion held', members })], nextSkip: null } }) });
    const r = await gwb(api, ['status', '--state', 'held']);
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/^Legal\s+held\s+-\s+0\s+0\s/);
    expect(r.out.at(-1)).toBe('1 group(s); 1 held: gwb group <name> shows why, gwb held lists what waits for approval');
    expect(api.requests).toHaveLength(1);
  });
});

const detail = (state: string) => ({
  groupId: A,
  cloud: {
    displayName: 'Sales',
    description: null,
    type: 'm365',
    mailNickname: 'sales',
    writeback: { isEnabled: true, onPremisesGroupType: 'universalDistributionGroup' },
    memberCount: 4,
  },
  decision: { write: true, reason: null, adGroupType: 'universalDistributionGroup', cn: `Group_${A}` },
  applied: { cn: `Group_${A}`, dn: `CN=Group_${A},OU=Writeback,DC=corp,DC=example`, objectGUID: 'a1b2', objectSid: 'S-1-5-21-1-2-3-1105', seq: 17, memberCount: 2 },
  status: summary(A, 'Sales', state, { reason: state === 'failed' ? 'WritebackOuMissing' : '2 member(s) not written', members: { planned: 2, cloudOnly: 1, errors: 1 } }),
  memberErrors: [
    { memberId: 'u1', displayName: 'Ada Cloud', userPrincipalName: 'ada@contoso.com', kind: 'user', code: 'cloudOnlyUser', message: 'the user has no on-premises account' },
    { memberId: 'u2', displayName: 'Bob Refused', userPrincipalName: 'bob@contoso.com', kind: 'user', code: 'InsufficientAccessRights', message: 'AD refused the member' },
  ],
  held: null,
});

describe('gwb group', () => {
  it('looks a name up with /api/status?search=, takes the exact match and prints the group with named member errors', async () => {
    api = await fakeApi({
      'GET /api/status': () => ({ json: { count: 2, value: [summary(B, 'Sales EMEA', 'written'), summary(A, 'Sales', 'partial')], nextSkip: null } }),
      [`GET /api/groups/${A}`]: () => ({ json: detail('partial') }),
    });
    const r = await gwb(api, ['group', 'sales']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(api.requests[0]!.query.toString()).toBe('search=sales&top=100');
    expect(r.out).toEqual([
      `Sales (${A})`,
      '  cloud     m365, 4 members, mailNickname sales, writeback on as universalDistributionGroup',
      `  decision  write as universalDistributionGroup, CN Group_${A}`,
      `  in AD     CN=Group_${A},OU=Writeback,DC=corp,DC=example, 2 members, objectGUID a1b2, SID S-1-5-21-1-2-3-1105, seq 17`,
      '  status    partial: 2 member(s) not written',
      '            last change 2026-12-01 10:00:00Z, last result 2026-12-01 10:00:05Z (applied)',
      '  members   2 written, 1 cloud-only, 1 in error',
      '',
      'member errors (2):',
      '  MEMBER       UPN              KIND  CODE                      ID  MESSAGE',
      '  Ada Cloud    ada@contoso.com  user  cloudOnlyUser             u1  the user has no on-premises account',
      '  Bob Refused  bob@contoso.com  user  InsufficientAccessRights  u2  AD refused the member',
    ]);
  });

  it('a big group being written shows the relay\'s progress in gwb group and its share in gwb status', async () => {
    const progress = { done: 120_000, total: 250_000, perSecond: 2_150, stage: 'part 70 of 180', at: '2026-12-01T10:01:00.000Z' };
    const writing = { ...detail('pending'), status: summary(A, 'Sales', 'pending', { progress }) };
    api = await fakeApi({
      'GET /api/status': () => ({ json: { count: 2, value: [summary(A, 'Sales', 'pending', { progress }), summary(B, 'Sales EMEA', 'written', { progress: null })], nextSkip: null } }),
      [`GET /api/groups/${A}`]: () => ({ json: writing }),
    });
    const g = await gwb(api, ['group', A]);
    expect(g.code, g.err.join('\n')).toBe(0);
    expect(g.out).toContain('  writing   120,000 of about 250,000 members (2,150/s), part 70 of 180, reported 2026-12-01 10:01:00Z');
    const s = await gwb(api, ['status']);
    expect(s.out[1]).toMatch(/^Sales\s+pending 48%\s/);
    expect(s.out[2]).toMatch(/^Sales EMEA\s+written\s/);
  });

  it('a failed group exits 1; a unique id prefix names it too', async () => {
    api = await fakeApi({
      'GET /api/status': () => ({ json: { count: 1, value: [summary(A, 'Sales', 'failed')], nextSkip: null } }),
      [`GET /api/groups/${A}`]: () => ({ json: detail('failed') }),
    });
    const r = await gwb(api, ['group', '0bc7e5a1-11']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  status    failed: WritebackOuMissing');
  });

  it('several groups of that name, or none exactly: lists them and exits 1 without reading any', async () => {
    api = await fakeApi({
      'GET /api/status': (r) =>
        r.query.get('search') === 'Sales'
          ? { json: { count: 2, value: [summary(A, 'Sales', 'written'), summary(B, 'sales', 'held')], nextSkip: null } }
          : { json: { count: 1, value: [summary(C, 'Sales EMEA', 'written')], nextSkip: null } },
    });
    const two = await gwb(api, ['group', 'Sales']);
    expect(two.code).toBe(1);
    expect(two.err).toEqual([`gwb: "Sales" names 2 groups; give the id of one:\n  Sales (${A})  written\n  sales (${B})  held`]);
    const none = await gwb(api, ['group', 'Sale']);
    expect(none.code).toBe(1);
    expect(none.err).toEqual([`gwb: no group is named exactly "Sale"; groups whose name contains it:\n  Sales EMEA (${C})  written`]);
    expect(api.requests.filter((q) => q.path.startsWith('/api/groups/'))).toEqual([]);
  });

  it('an unknown group id: the API\'s 404 reason, exit 1', async () => {
    api = await fakeApi({ [`GET /api/groups/${A}`]: () => ({ status: 404, text: 'unknown group' }) });
    const r = await gwb(api, ['group', A]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`gwb: GET /api/groups/${A}: 404 unknown group`]);
  });
});
