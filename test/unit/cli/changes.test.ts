// gwb preview, sync, reject and settings against a fake admin API with the contract's shapes: what is sent
// (paths, query, body), what is printed, the exit codes, and the confirmation a removal from AD needs.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, gwb, summary, type FakeApi } from './fake-api.js';

const A = '0bc7e5a1-1111-4c44-8d55-66778899aabb';
const B = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const salesLookup = { 'GET /api/status': () => ({ json: { count: 1, value: [summary(A, 'Sales', 'written')], nextSkip: null } }) };

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('gwb preview and sync', () => {
  it('preview prints the summary, each action and its first members', async () => {
    api = await fakeApi({
      ...salesLookup,
      [`POST /api/groups/${A}/preview`]: () => ({
        json: {
          groupId: A,
          displayName: 'Sales',
          summary: 'rename and 2 members to add',
          actions: [
            { kind: 'rename', detail: 'CN Group_old -> Group_new' },
            { kind: 'addMembers', detail: '3 members to add', count: 3, members: [{ memberId: 'u1', displayName: 'Ada', userPrincipalName: 'ada@contoso.com' }] },
          ],
        },
      }),
    });
    const r = await gwb(api, ['preview', 'Sales']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out).toEqual([
      `Sales (${A}): rename and 2 members to add`,
      '  rename: CN Group_old -> Group_new',
      '  addMembers: 3 members to add (3)',
      '    Ada  ada@contoso.com  u1',
      '    ... and 2 more',
    ]);
  });

  it('sync passes --wait as waitSeconds, prints the steps, and exits 1 when one failed', async () => {
    const steps = (lastOk: boolean) => [
      { step: 'readCloud', ok: true, detail: 'read from Graph', at: '2026-12-01T10:00:00.000Z' },
      { step: 'relayResult', ok: lastOk, detail: lastOk ? 'applied' : 'failed: WritebackOuMissing', at: '2026-12-01T10:00:03.000Z' },
    ];
    let ok = true;
    api = await fakeApi({ ...salesLookup, [`POST /api/groups/${A}/sync`]: () => ({ json: { groupId: A, steps: steps(ok) } }) });
    const good = await gwb(api, ['sync', 'Sales', '--wait', '60']);
    expect(good.code).toBe(0);
    expect(api.requests.at(-1)!.query.get('waitSeconds')).toBe('60');
    expect(good.err).toEqual([`syncing Sales (${A}), waiting up to 60 s...`]);
    expect(good.out).toEqual(['ok      readCloud    read from Graph  (2026-12-01 10:00:00Z)', 'ok      relayResult  applied  (2026-12-01 10:00:03Z)']);
    ok = false;
    const bad = await gwb(api, ['sync', A, '--json']);
    expect(bad.code).toBe(1);
    expect(api.requests.at(-1)!.query.has('waitSeconds')).toBe(false);
    expect(JSON.parse(bad.out.join('\n'))).toMatchObject({ groupId: A, steps: [{ ok: true }, { ok: false, detail: 'failed: WritebackOuMissing' }] });
  });
});

describe('gwb reject', () => {
  it('drops the held change set (202), or says nothing is held (the app\'s 404), exit 1', async () => {
    let held = true;
    api = await fakeApi({
      [`POST /api/held/${A}/reject`]: () => (held ? { status: 202, json: { groupId: A, rejectedAt: '2026-12-01T10:00:00.000Z' } } : { status: 404, text: 'nothing is held for this group' }),
    });
    const r = await gwb(api, ['reject', A]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`rejected: the held change set of ${A} is dropped; AD is left as it is`]);
    held = false;
    const again = await gwb(api, ['reject', A]);
    expect(again.code).toBe(1);
    expect(again.err).toEqual([`gwb: nothing is held for ${A} (gwb held lists what is)`]);
  });

  it('a Function App without the route (the host\'s empty 404) is not "nothing held"', async () => {
    api = await fakeApi({});
    const r = await gwb(api, ['reject', A]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`gwb: POST /api/held/${A}/reject: 404, no such route (is the Function App older than gwb?)`]);
  });
});

const stored = {
  writebackEnabled: true,
  groupWritebackV2: true,
  cnFormat: 'objectId',
  newUnifiedGroupWritebackDefault: null,
  deviceWriteback: false,
  exchangeSchema: false,
  deletionThreshold: 20,
  memberRemovalThreshold: 1000,
  safetyNetSeconds: 300,
};

describe('gwb settings', () => {
  it('get prints each setting, and what is in force where it differs', async () => {
    api = await fakeApi({ 'GET /api/settings': () => ({ json: { settings: stored, effective: { newUnifiedGroupWritebackDefault: true } } }) });
    const r = await gwb(api, ['settings', 'get']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('newUnifiedGroupWritebackDefault  null  (in force: true)');
    expect(r.out).toContain('cnFormat                         "objectId"');
    expect(r.out).toHaveLength(9);
  });

  /** A fake that refuses a removal from AD until confirmed, as the contract says. */
  function settingsApi(): Promise<FakeApi> {
    return fakeApi({
      'PATCH /api/settings': (req) => {
        const patch = req.body as Record<string, unknown>;
        if (patch['groupWritebackV2'] === false && req.query.get('confirm') !== 'true') {
          return { status: 409, json: { wouldRemove: 52, groups: [{ groupId: A, displayName: 'Sales' }, { groupId: B, displayName: null }] } };
        }
        return { json: { settings: { ...stored, ...patch } } };
      },
    });
  }

  it('set sends typed values; a change that removes nothing needs no confirmation', async () => {
    api = await settingsApi();
    const r = await gwb(api, ['settings', 'set', 'cnFormat=displayName', 'deletionThreshold=5', 'newUnifiedGroupWritebackDefault=null']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(api.requests.map((q) => [q.query.toString(), q.body])).toEqual([['', { cnFormat: 'displayName', deletionThreshold: 5, newUnifiedGroupWritebackDefault: null }]]);
    expect(r.out[0]).toBe('settings changed; now:');
    expect(r.out).toContain('cnFormat                         "displayName"');
  });

  it('a removal from AD: lists how many and which; unconfirmed with nobody at the terminal, nothing changes, exit 1', async () => {
    api = await settingsApi();
    const r = await gwb(api, ['settings', 'set', 'groupWritebackV2=false']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'this change would remove 52 group(s) from AD (the deletion guard still applies):',
      `  Sales (${A})`,
      `  ${B}`,
      '  ... and 50 more',
      'not changed: nothing was confirmed (--yes confirms without asking)',
    ]);
    expect(api.requests.map((q) => q.query.get('confirm'))).toEqual([null]);
  });

  it('confirmed on the terminal ("yes") or with --yes: sent again with confirm=true; any other answer: exit 1', async () => {
    api = await settingsApi();
    const asked = await gwb(api, ['settings', 'set', 'groupWritebackV2=false'], { interactive: true, answers: ['yes'] });
    expect(asked.code, asked.err.join('\n')).toBe(0);
    expect(asked.asked).toEqual(['remove them from AD? type yes to confirm: ']);
    const withYes = await gwb(api, ['settings', 'set', 'groupWritebackV2=false', '--yes', '--json']);
    expect(withYes.code).toBe(0);
    expect(JSON.parse(withYes.out.join('\n'))).toMatchObject({ settings: { groupWritebackV2: false } });
    const declined = await gwb(api, ['settings', 'set', 'groupWritebackV2=false'], { interactive: true, answers: ['y'] });
    expect(declined.code).toBe(1);
    expect(api.requests.map((q) => q.query.get('confirm'))).toEqual([null, 'true', null, 'true', null]);
  });

  it('unknown names, untyped values and a missing verb are usage errors (exit 2), nothing sent', async () => {
    api = await settingsApi();
    const runs = await Promise.all([
      gwb(api, ['settings', 'set', 'colour=blue']),
      gwb(api, ['settings', 'set', 'writebackEnabled=yes']),
      gwb(api, ['settings', 'set', 'deletionThreshold=-1']),
      gwb(api, ['settings', 'set', 'cnFormat']),
      gwb(api, ['settings']),
      gwb(api, ['settings', 'get', 'cnFormat']),
    ]);
    expect(runs.map((r) => [r.code, r.err[0]])).toEqual([
      [2, 'unknown setting "colour"; settings: writebackEnabled, groupWritebackV2, cnFormat, newUnifiedGroupWritebackDefault, deviceWriteback, exchangeSchema, deletionThreshold, memberRemovalThreshold, safetyNetSeconds, memberLimit'],
      [2, 'writebackEnabled takes true or false'],
      [2, 'deletionThreshold takes a whole number'],
      [2, '"cnFormat" is not key=value'],
      [2, 'settings: an argument is missing'],
      [2, 'settings get takes no arguments'],
    ]);
    expect(api.requests).toEqual([]);
  });
});
