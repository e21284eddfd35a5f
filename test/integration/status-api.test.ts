// The groups-and-status part of the admin API on the local Functions host (the definitions Azure registers),
// with real Entra tokens from the Graph simulator and a real round of planChanges behind it:
// GET /api/status (summaries: filters, search, paging) and GET /api/groups/{groupId} (cloud now, decision,
// applied, member errors named by display name and UPN, held).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import type { GroupDetail } from '../../shared/app/status/group-detail.js';
import type { StatusPage } from '../../shared/app/status/status-list.js';
import type { HeldChange } from '../../shared/domain/deletion-guard.js';
import { silentLogger } from '../../shared/logging.js';
import { startTestEntra, type TestEntra } from '../support/entra.js';

const tenantId = '7d96a1c4-6666-4a2b-9c3d-0123456789ab';
const id = (n: number, kind: string): string => `${kind.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const U = (n: number) => id(n, 'a2');
const G = (n: number) => id(n, 'b2');
const gone = id(99, 'a2'); // a member Graph does not return

let entra: TestEntra;
let host: LocalHost | undefined;
let runtime: LocalRuntime;

beforeAll(async () => {
  entra = await startTestEntra(tenantId);
  const c = entra.sim.control;
  c.createUser({ id: U(1), displayName: 'Ada Synced', userPrincipalName: 'ada@contoso.example', synced: true });
  c.createUser({ id: U(9), displayName: 'Carla Cloud', userPrincipalName: 'carla@contoso.example' });
  c.createGroup({ id: G(1), displayName: 'Sales', kind: 'm365', description: 'Sales team', members: [U(1), U(9)] });
  c.createGroup({ id: G(2), displayName: 'App access', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1)] });
  c.createGroup({ id: G(3), displayName: 'All staff', kind: 'distribution' });
  c.createGroup({ id: G(4), displayName: 'sales east', kind: 'm365', members: [U(1)] });
  c.createGroup({ id: G(5), displayName: 'Zeta', kind: 'security' });
});
afterAll(async () => {
  await entra.close();
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await runtime?.close();
});

/** The host with a full round planned (planChanges on the local queue) and the relay's result for G(1). */
async function started(): Promise<LocalHost> {
  host = await startLocalHost({
    runtime: async (hostUrl) => {
      runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger() });
      return runtime;
    },
    timers: false,
    queues: true,
  });
  const h = host;
  expect((await fetch(`${h.url}/api/resync`, { method: 'POST', headers: entra.headers(), body: '{"mode":"resync"}' })).status).toBe(202);
  await vi.waitFor(async () => expect(await runtime.planner.tokens.load(tenantId)).not.toBeNull(), { timeout: 15_000, interval: 100 }); // the round is done
  const planned = (await runtime.planner.groups.load(tenantId, G(1)))!;
  const at = new Date().toISOString();
  await applyStatusUpdate(runtime.statuses, {
    kind: 'result',
    at,
    result: {
      v: 1, tenantId, groupId: G(1), seq: planned.seq, messageId: `${G(1)}:${planned.seq}`, kind: 'snapshot', outcome: 'partial',
      ad: { objectGUID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', objectSid: 'S-1-5-21-1-2-3-1105', dn: `CN=Group_${G(1)},OU=Groups,DC=corp,DC=example` },
      memberErrors: [{ member: U(1), code: 'noSuchObject', message: 'not in AD' }, { member: gone, code: 'noSuchObject', message: 'not in AD' }],
      error: null, membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'relay-a', at,
    },
  });
  return h;
}

const get = (h: LocalHost, path: string, roles: Parameters<TestEntra['headers']>[0] = ['Writeback.Read']): Promise<Response> =>
  fetch(`${h.url}${path}`, { headers: entra.headers(roles) });

async function page(h: LocalHost, query: string): Promise<StatusPage> {
  const res = await get(h, `/api/status${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as StatusPage;
}

describe('groups and status API', () => {
  it('refuses a caller without a token (401) and a token without a role (403)', async () => {
    const h = await started();
    for (const path of ['/api/status', `/api/groups/${G(1)}`]) {
      expect((await fetch(`${h.url}${path}`)).status).toBe(401);
      expect((await get(h, path, [])).status).toBe(403);
      expect((await get(h, path, ['Writeback.Admin'])).status).toBe(200);
    }
  });

  it('lists summaries sorted by display name, with filters, search and paging', async () => {
    const h = await started();
    const all = await page(h, '');
    expect(all.count).toBe(5);
    expect(all.nextSkip).toBeNull();
    expect(all.value.map((s) => s.displayName)).toEqual(['All staff', 'App access', 'Sales', 'sales east', 'Zeta']);
    expect(all.value.find((s) => s.groupId === G(1))).toEqual({
      groupId: G(1),
      displayName: 'Sales',
      type: 'm365',
      adGroupType: 'universalDistributionGroup',
      state: 'partial',
      reason: null,
      members: { planned: 1, cloudOnly: 1, errors: 2 },
      lastChangeAt: expect.any(String) as string,
      lastResultAt: expect.any(String) as string,
      outcome: 'partial',
      progress: null,
    });
    expect(all.value.find((s) => s.groupId === G(3))).toMatchObject({ type: 'distribution', adGroupType: null, state: 'skipped', reason: expect.stringMatching(/distribution/) as string });

    expect((await page(h, '?state=skipped')).value.map((s) => s.groupId)).toEqual([G(3), G(5)]);
    expect((await page(h, '?state=pending')).value.map((s) => s.displayName)).toEqual(['App access', 'sales east']);
    expect((await page(h, '?search=SALES')).value.map((s) => s.groupId)).toEqual([G(1), G(4)]);
    expect((await page(h, `?search=${G(2).toUpperCase()}`)).value.map((s) => s.groupId)).toEqual([G(2)]);
    expect(await page(h, '?search=nothing-like-it')).toEqual({ count: 0, value: [], nextSkip: null });

    const first = await page(h, '?top=2');
    expect(first).toMatchObject({ count: 5, nextSkip: 2 });
    const second = await page(h, `?top=2&skip=${first.nextSkip}`);
    const third = await page(h, `?top=2&skip=${second.nextSkip}`);
    expect(third.nextSkip).toBeNull();
    expect([...first.value, ...second.value, ...third.value]).toEqual(all.value);
    expect(await page(h, '?state=skipped&search=zet&top=1')).toMatchObject({ count: 1, value: [{ groupId: G(5) }], nextSkip: null });

    // While the relay writes a big change set, its progress report shows on the summary (the state stays).
    const planned2 = (await runtime.planner.groups.load(tenantId, G(2)))!;
    const when = new Date().toISOString();
    await applyStatusUpdate(runtime.statuses, {
      kind: 'progress',
      at: when,
      message: {
        v: 1, type: 'progress', tenantId, groupId: G(2), relayId: 'relay-a',
        progress: { seq: planned2.seq, done: 120_000, total: 250_000, membersAdded: 120_000, membersRemoved: 0, perSecond: 2_000, stage: 'part 70 of 154', at: when },
      },
    });
    expect((await page(h, '?search=app')).value).toMatchObject([
      { groupId: G(2), state: 'pending', progress: { done: 120_000, total: 250_000, perSecond: 2_000, stage: 'part 70 of 154', at: when } },
    ]);
    for (const bad of ['?top=0', '?top=1001', '?skip=-1', '?state=bogus', `?search=${'x'.repeat(257)}`]) expect((await get(h, `/api/status${bad}`)).status).toBe(400);
  });

  it('shows one group: the cloud now, the decision, what was applied, member errors named, held', async () => {
    const h = await started();
    const held: HeldChange = {
      groupId: G(2), kind: 'deletion', deletions: 1, memberRemovals: 0, reason: 'deletion held: 20 group deletion(s) in the last 24 h',
      lifecycle: 'present', afterSeq: 1, heldAt: '2026-12-01T10:00:00.000Z', approvedAt: null,
      fingerprint: 'f', rejectedAt: null, rejectedBy: null,
    };
    await runtime.planner.held.save(tenantId, held, null);

    const res = await get(h, `/api/groups/${G(1).toUpperCase()}`);
    expect(res.status).toBe(200);
    const sales = (await res.json()) as GroupDetail;
    expect(sales).toMatchObject({
      groupId: G(1),
      cloud: { displayName: 'Sales', description: 'Sales team', type: 'm365', mailNickname: 'Sales', writeback: { isEnabled: null, onPremisesGroupType: null }, memberCount: 2 },
      decision: { write: true, reason: null, adGroupType: 'universalDistributionGroup', cn: `Group_${G(1)}` },
      applied: { cn: `Group_${G(1)}`, dn: `CN=Group_${G(1)},OU=Groups,DC=corp,DC=example`, objectGUID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', objectSid: 'S-1-5-21-1-2-3-1105', memberCount: 1 },
      status: { state: 'partial', members: { planned: 1, cloudOnly: 1, errors: 2 } },
      held: null,
    });
    expect(sales.applied!.seq).toBe((await runtime.planner.groups.load(tenantId, G(1)))!.seq);
    expect(sales.memberErrors).toEqual([
      { memberId: U(9), displayName: 'Carla Cloud', userPrincipalName: 'carla@contoso.example', kind: 'user', code: 'cloudOnlyUser', message: expect.stringMatching(/cloud-only/) as string },
      { memberId: U(1), displayName: 'Ada Synced', userPrincipalName: 'ada@contoso.example', kind: 'user', code: 'noSuchObject', message: 'not in AD' },
      // a member the app cannot read keeps null names
      { memberId: gone, displayName: null, userPrincipalName: null, kind: null, code: 'noSuchObject', message: 'not in AD' },
    ]);

    const app = (await (await get(h, `/api/groups/${G(2)}`)).json()) as GroupDetail;
    expect(app).toMatchObject({ decision: { write: true, adGroupType: 'universalSecurityGroup' }, status: { state: 'pending' }, held, memberErrors: [] });
    expect(app.applied).toMatchObject({ dn: null, objectGUID: null, seq: null, memberCount: 1 });

    const zeta = (await (await get(h, `/api/groups/${G(5)}`)).json()) as GroupDetail;
    expect(zeta).toMatchObject({ decision: { write: false, reason: expect.stringMatching(/only when writebackConfiguration.isEnabled is true/) as string, cn: null }, applied: null, status: { state: 'skipped' } });

    // gone from Graph: the product's knowledge stays visible
    entra.sim.control.deleteGroup(G(4));
    const deleted = (await (await get(h, `/api/groups/${G(4)}`)).json()) as GroupDetail;
    expect(deleted).toMatchObject({ cloud: null, decision: { write: false, reason: expect.stringMatching(/soft-deleted/) as string }, status: { displayName: 'sales east' } });
    entra.sim.control.restore(G(4));

    expect((await get(h, `/api/groups/${id(77, 'b2')}`)).status).toBe(404);
    expect((await get(h, '/api/groups/not-a-guid')).status).toBe(400);
  });
});
