// Application permissions in the Graph simulator: by default it grants exactly what infra grants, every Graph call
// needs its documented permission (403 Authorization_RequestDenied without it, also inside $batch), and the
// product's member lookups work with the granted set while directoryObjects/getByIds (Directory.Read.All) is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import { FILTER_IN_MAX } from '../../shared/adapters/graph/member-identities.js';
import { MAX_BATCH_REQUESTS } from '../../shared/adapters/graph/batch.js';
import { silentLogger } from '../../shared/logging.js';

const infraPermissions = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'infra', 'graph-permissions.json'), 'utf8')) as string[];
const DENIED = 'Insufficient privileges to complete the operation.';

let sim: GraphSimulator;
let reader: GraphDirectoryReader;

beforeAll(async () => {
  sim = await startGraphSimulator();
  reader = new GraphDirectoryReader(createGraphClient({ baseUrl: sim.baseUrl }), { baseUrl: sim.baseUrl, log: silentLogger() });
});
afterAll(async () => sim.close());
beforeEach(() => sim.control.reset());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers: { authorization: 'Bearer t', 'client-request-id': 'c-1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as unknown) };
}

describe('graph simulator: an admin\'s delegated token', () => {
  it('acts with its own scopes instead of the app\'s permissions (gwb writeback)', async () => {
    sim.control.createGroup({ id: '9d000000-0000-4000-8000-00000000d001', displayName: 'Sales', kind: 'm365' });
    const patch = (scopes: string[]): Promise<Response> =>
      fetch(`${sim.baseUrl}/beta/groups/9d000000-0000-4000-8000-00000000d001`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${sim.entra.mintToken({ roles: [], audience: 'https://graph.microsoft.com', scopes })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ writebackConfiguration: { isEnabled: true } }),
      });
    // the app itself may not write groups, and a delegated token without a write scope may not either
    expect((await call('PATCH', '/beta/groups/9d000000-0000-4000-8000-00000000d001', { writebackConfiguration: { isEnabled: true } })).status).toBe(403);
    expect((await patch(['Group.Read.All'])).status).toBe(403);
    expect((await patch(['Group.ReadWrite.All'])).status).toBe(204);
  });
});

describe('graph simulator: application permissions', () => {
  it('grants exactly the permissions infra grants unless told otherwise; reset() grants them again', () => {
    expect(sim.control.permissions()).toEqual([...infraPermissions].sort());
    sim.control.setPermissions(['Directory.Read.All']);
    expect(sim.control.permissions()).toEqual(['Directory.Read.All']);
    sim.control.reset();
    expect(sim.control.permissions()).toEqual([...infraPermissions].sort());
    expect(() => sim.control.setPermissions(['not a permission'])).toThrow(/permission name/);
  });

  it("refuses getByIds with the granted set: Graph's 403 Authorization_RequestDenied, alone and inside $batch", async () => {
    const u = String(sim.control.createUser({ displayName: 'U', synced: true })['id']);
    const refused = await call('POST', '/v1.0/directoryObjects/getByIds', { ids: [u], types: ['user'] });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'Authorization_RequestDenied', message: DENIED, innerError: { date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': 'c-1' } },
    });

    const batch = await call('POST', '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'POST', url: '/directoryObjects/getByIds', headers: { 'Content-Type': 'application/json' }, body: { ids: [u] } },
        { id: '2', method: 'GET', url: `/users/${u}?$select=onPremisesSecurityIdentifier` },
      ],
    });
    expect(batch.status).toBe(200);
    const responses = (batch.body as { responses: { id: string; status: number; body: { error?: { code: string; message: string } } }[] }).responses;
    expect(responses.find((r) => r.id === '1')).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied', message: DENIED } } });
    expect(responses.find((r) => r.id === '2')?.status).toBe(200);

    sim.control.setPermissions([...infraPermissions, 'Directory.Read.All']);
    expect((await call('POST', '/v1.0/directoryObjects/getByIds', { ids: [u] })).status).toBe(200);
  });

  it("resolves the product's members with the granted set: users, groups, devices, untyped and unknown ids, 15 ids a request, 20 requests a $batch", async () => {
    const users = Array.from({ length: MAX_BATCH_REQUESTS * FILTER_IN_MAX - 7 }, (_, i) => String(sim.control.createUser({ displayName: `U${i}`, synced: i % 2 === 0 })['id']));
    const syncedGroup = String(sim.control.createGroup({ displayName: 'FromAD', kind: 'security', synced: true })['id']);
    const cloudGroup = String(sim.control.createGroup({ displayName: 'Cloud', kind: 'security' })['id']);
    const device = String(sim.control.createDevice({ displayName: 'PC', synced: true })['id']);
    const untyped = String(sim.control.createUser({ displayName: 'Untyped', synced: true })['id']);
    const unknown = crypto.randomUUID();
    const userLookups = sim.control.addFailure({ match: '^GET /v1\\.0/users$', kind: 'delay', delayMs: 0 });
    const batches = sim.control.addFailure({ match: '^POST /v1\\.0/\\$batch$', kind: 'delay', delayMs: 0 });

    const identities = await reader.memberIdentities([
      ...users.map((id) => ({ id, type: 'user' })),
      { id: syncedGroup, type: 'group' },
      { id: cloudGroup, type: 'group' },
      { id: device, type: 'device' },
      { id: untyped, type: null },
      { id: unknown, type: 'user' },
      { id: crypto.randomUUID(), type: 'servicePrincipal' },
    ]);

    expect(identities.get(users[0]!)).toEqual({ id: users[0], type: 'user', onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-/), onPremisesSyncEnabled: true, deviceId: null });
    expect(identities.get(users[1]!)).toEqual({ id: users[1], type: 'user', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null });
    expect(users.every((id) => identities.get(id)?.type === 'user')).toBe(true);
    expect(identities.get(syncedGroup)).toMatchObject({ type: 'group', onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-/), onPremisesSyncEnabled: true });
    expect(identities.get(cloudGroup)).toMatchObject({ type: 'group', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null });
    expect(identities.get(device)).toMatchObject({ type: 'device', deviceId: expect.any(String), onPremisesSyncEnabled: true });
    expect(identities.get(untyped)).toMatchObject({ type: 'user', onPremisesSyncEnabled: true });
    expect(identities.has(unknown)).toBe(false);
    expect([...identities.values()].filter((i) => i.type === 'other')).toHaveLength(1);
    // users: 293 + the untyped and the unknown id in 20 requests; groups and devices one each (the untyped id too):
    // 22 requests, 2 $batch calls
    const listed = sim.control.listFailures();
    expect(listed.find((f) => f.id === userLookups)?.matched).toBe(Math.ceil((users.length + 2) / FILTER_IN_MAX));
    expect(listed.find((f) => f.id === batches)?.matched).toBe(2);
  });

  it('fails member resolution loudly when a type cannot be read, naming the refusal', async () => {
    const u = String(sim.control.createUser({ displayName: 'U' })['id']);
    sim.control.setPermissions(infraPermissions.filter((p) => p !== 'User.Read.All'));
    await expect(reader.memberIdentities([{ id: u, type: 'user' }])).rejects.toThrow('reading users of members failed with 403 (Authorization_RequestDenied)');
  });

  it('refuses an $filter=id in (...) with more than 15 values', async () => {
    const ids = Array.from({ length: FILTER_IN_MAX + 1 }, () => `'${crypto.randomUUID()}'`);
    const res = await call('GET', `/v1.0/users?$filter=${encodeURIComponent(`id in (${ids.join(',')})`)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'Request_UnsupportedQuery' } });
  });

  describe('each call needs its documented application permission', () => {
    const group = '0b1e0000-0000-4000-8000-000000000001';
    const user = '0a1e0000-0000-4000-8000-000000000002';
    const device = '0d1e0000-0000-4000-8000-000000000003';
    const seed = (): void => {
      sim.control.createUser({ id: user, displayName: 'U' });
      sim.control.createDevice({ id: device, displayName: 'D' });
      sim.control.createGroup({ id: group, displayName: 'M', kind: 'm365', members: [user] });
    };
    // The least privileged permission that allows each call, and the answer it then gets.
    const calls: { method: string; path: string; needs: string; status: number; body?: unknown }[] = [
      { method: 'GET', path: '/v1.0/groups/delta?$select=displayName,members', needs: 'GroupMember.Read.All', status: 200 },
      { method: 'GET', path: '/v1.0/groups', needs: 'GroupMember.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/groups/${group}?$select=displayName`, needs: 'GroupMember.Read.All', status: 200 },
      { method: 'GET', path: `/beta/groups/${group}?$select=displayName,writebackConfiguration`, needs: 'Group.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/groups/${group}/members?$select=id`, needs: 'GroupMember.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/users?$filter=${encodeURIComponent(`id in ('${user}')`)}&$select=id,onPremisesSecurityIdentifier`, needs: 'User.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/users/${user}`, needs: 'User.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/devices?$filter=${encodeURIComponent(`id in ('${device}')`)}&$select=id,deviceId`, needs: 'Device.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/devices/${device}`, needs: 'Device.Read.All', status: 200 },
      { method: 'POST', path: '/v1.0/directoryObjects/getByIds', needs: 'Directory.Read.All', status: 200, body: { ids: [user] } },
      { method: 'GET', path: `/v1.0/directoryObjects/${user}`, needs: 'Directory.Read.All', status: 200 },
      { method: 'GET', path: '/v1.0/groupSettings', needs: 'GroupSettings.Read.All', status: 200 },
      { method: 'GET', path: '/v1.0/subscriptions', needs: 'Group.Read.All', status: 200 },
      { method: 'GET', path: `/v1.0/directory/deletedItems/${crypto.randomUUID()}?$select=id`, needs: 'Group.Read.All', status: 404 },
      { method: 'GET', path: '/v1.0/directory/deletedItems/microsoft.graph.group', needs: 'Group.Read.All', status: 200 },
      { method: 'PATCH', path: `/v1.0/groups/${group}`, needs: 'Group.ReadWrite.All', status: 204, body: { description: 'x' } },
      {
        method: 'POST',
        path: '/v1.0/users',
        needs: 'User.ReadWrite.All',
        status: 201,
        body: { accountEnabled: true, displayName: 'N', mailNickname: 'n', userPrincipalName: 'n@simtenant.onmicrosoft.com', passwordProfile: { password: 'x-Pa55word!' } },
      },
    ];

    it.each(calls)('$method $path needs $needs', async ({ method, path, needs, status, body }) => {
      seed();
      sim.control.setPermissions([]);
      const refused = await call(method, path, body);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'Authorization_RequestDenied', message: DENIED } });
      sim.control.setPermissions([needs]);
      const allowed = await call(method, path, body);
      expect(allowed.status, JSON.stringify(allowed.body)).toBe(status);
    });

    it('a deleted group needs Group.Read.All, not User.Read.All', async () => {
      seed();
      sim.control.deleteGroup(group);
      sim.control.setPermissions(['User.Read.All']);
      expect((await call('GET', `/v1.0/directory/deletedItems/${group}`)).status).toBe(403);
      expect((await call('GET', '/v1.0/directory/deletedItems')).body).toMatchObject({ value: [] });
      sim.control.setPermissions(['Group.Read.All']);
      expect((await call('GET', `/v1.0/directory/deletedItems/${group}`)).status).toBe(200);
    });

    it('the product reads writebackConfiguration with Group.Read.All: GroupMember.Read.All alone is refused', async () => {
      seed();
      sim.control.setPermissions(['GroupMember.Read.All']);
      expect((await call('GET', `/beta/groups/${group}?$select=writebackConfiguration`)).status).toBe(403);
      expect((await call('GET', `/beta/groups/${group}?$select=displayName`)).status).toBe(200);
    });
  });
});
