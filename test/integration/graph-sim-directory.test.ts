// Graph simulator: directory calls through the real Graph client (groups, members, users, getByIds,
// deleted items, settings, $batch, error envelope, throttling, auth) plus the HTTP control API. The simulator grants
// what infra grants (read only); tests of its write routes grant the write permissions they use.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RetryHandlerOptions, type Client, type GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { simulatorGraphClient } from '../support/graph.js';

let sim: GraphSimulator;
let client: Client;
const noRetry = [new RetryHandlerOptions(0, 0)];

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error('expected the call to fail');
}

interface Page<T> { '@odata.nextLink'?: string; value: T[] }

/** Adds permissions the product never holds, for one test (reset() takes them back). */
function grant(...permissions: string[]): void {
  sim.control.setPermissions([...sim.control.permissions(), ...permissions]);
}

beforeAll(async () => {
  sim = await startGraphSimulator({ tls: true, requireAuth: true });
  client = simulatorGraphClient(sim);
});
afterAll(async () => sim.close());
beforeEach(() => sim.control.reset());

describe('graph simulator: directory', () => {
  it('creates, reads with $select, updates and deletes groups; errors use Graph envelope and codes', async () => {
    grant('Group.ReadWrite.All');
    const created = (await client.api('/groups').post({ displayName: 'Team', mailEnabled: true, mailNickname: 'team', securityEnabled: false, groupTypes: ['Unified'] })) as Record<string, unknown>;
    expect(created).toMatchObject({ displayName: 'Team', groupTypes: ['Unified'], mail: 'team@simtenant.onmicrosoft.com', proxyAddresses: ['SMTP:team@simtenant.onmicrosoft.com'], onPremisesSyncEnabled: null });
    const id = String(created['id']);
    const selected = (await client.api(`/groups/${id}`).select(['displayName', 'securityIdentifier']).get()) as Record<string, unknown>;
    expect(Object.keys(selected).filter((k) => !k.startsWith('@')).sort()).toEqual(['displayName', 'securityIdentifier']);
    expect(selected['securityIdentifier']).toMatch(/^S-1-12-1-\d+-\d+-\d+-\d+$/);
    await client.api(`/groups/${id}`).patch({ description: 'new' });
    expect(((await client.api(`/groups/${id}`).select('description').get()) as { description: string }).description).toBe('new');

    const badSelect = await graphError(client.api(`/groups/${id}`).select('nonsense').get());
    expect(badSelect.statusCode).toBe(400);
    const mailSec = await graphError(client.api('/groups').post({ displayName: 'x', mailEnabled: true, mailNickname: 'x', securityEnabled: true }));
    expect(mailSec.statusCode).toBe(400);

    await client.api(`/groups/${id}`).delete();
    const missing = await graphError(client.api(`/groups/${id}`).get());
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('Request_ResourceNotFound');
    const res = await fetch(`${sim.baseUrl}/v1.0/groups/${id}`, { headers: { authorization: 'Bearer t', 'client-request-id': 'c-1' } });
    expect(res.status).toBe(404);
    const raw = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
    expect(raw.error).toEqual({ code: 'Request_ResourceNotFound', message: expect.stringContaining(id), innerError: { date: expect.any(String), 'request-id': res.headers.get('request-id'), 'client-request-id': 'c-1' } });
  });

  it('pages members with $top and nextLink; adds by $ref, removes by $ref; protects synced and dynamic groups', async () => {
    grant('GroupMember.ReadWrite.All');
    const users = Array.from({ length: 7 }, (_, i) => String(sim.control.createUser({ displayName: `U${i}` })['id']));
    const device = String(sim.control.createDevice({ displayName: 'PC1', synced: true })['id']);
    const g = String(sim.control.createGroup({ displayName: 'Sec', kind: 'security', members: users.slice(0, 5) })['id']);
    await client.api(`/groups/${g}/members/$ref`).post({ '@odata.id': `${sim.baseUrl}/v1.0/directoryObjects/${users[5]}` });
    await client.api(`/groups/${g}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${device}` });
    const dup = await graphError(client.api(`/groups/${g}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${users[0]}` }));
    expect(dup.statusCode).toBe(400);
    await client.api(`/groups/${g}/members/${users[1]}/$ref`).delete();
    const notMember = await graphError(client.api(`/groups/${g}/members/${users[6]}/$ref`).delete());
    expect(notMember.statusCode).toBe(404);

    const seen: { '@odata.type': string; id: string }[] = [];
    let page = (await client.api(`/groups/${g}/members`).select(['id']).top(2).get()) as Page<{ '@odata.type': string; id: string }>;
    let pages = 1;
    seen.push(...page.value);
    while (page['@odata.nextLink']) {
      page = (await client.api(page['@odata.nextLink']).get()) as Page<{ '@odata.type': string; id: string }>;
      seen.push(...page.value);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen.map((m) => m.id).sort()).toEqual([users[0], users[2], users[3], users[4], users[5], device].sort());
    expect(seen.find((m) => m.id === device)?.['@odata.type']).toBe('#microsoft.graph.device');

    const synced = String(sim.control.createGroup({ displayName: 'FromAD', kind: 'security', synced: true })['id']);
    expect((await graphError(client.api(`/groups/${synced}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${users[6]}` }))).statusCode).toBe(400);
    const dynamic = String(sim.control.createGroup({ displayName: 'Dyn', kind: 'security', dynamic: true })['id']);
    expect((await graphError(client.api(`/groups/${dynamic}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${users[6]}` }))).statusCode).toBe(400);
    const m365 = String(sim.control.createGroup({ displayName: 'M', kind: 'm365' })['id']);
    expect((await graphError(client.api(`/groups/${m365}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${device}` }))).statusCode).toBe(400);
  });

  it('users: default properties omit onPremises*, $select returns them for synced users', async () => {
    grant('User.ReadWrite.All');
    const u = String(sim.control.createUser({ displayName: 'Synced', synced: true })['id']);
    const plain = (await client.api(`/users/${u}`).get()) as Record<string, unknown>;
    expect(plain).not.toHaveProperty('onPremisesSecurityIdentifier');
    expect(plain).toHaveProperty('userPrincipalName');
    const sel = (await client.api(`/users/${u}`).select(['onPremisesSyncEnabled', 'onPremisesSecurityIdentifier', 'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesDomainName']).get()) as Record<string, unknown>;
    expect(sel).toMatchObject({ onPremisesSyncEnabled: true, onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-\d+-\d+-\d+-\d+$/), onPremisesDomainName: 'corp.example.com' });
    expect(typeof sel['onPremisesImmutableId']).toBe('string');
    const created = (await client.api('/users').post({ accountEnabled: true, displayName: 'Cloud', mailNickname: 'cloud', userPrincipalName: 'cloud@simtenant.onmicrosoft.com', passwordProfile: { password: 'x-Pa55word!' } })) as { id: string };
    const list = (await client.api('/users').select(['id', 'onPremisesSyncEnabled']).get()) as Page<{ id: string; onPremisesSyncEnabled: boolean | null }>;
    expect(list.value.find((x) => x.id === created.id)?.onPremisesSyncEnabled).toBeNull();
  });

  it('directoryObjects/getByIds honours types and $select and adds @odata.type', async () => {
    grant('Directory.Read.All');
    const u = String(sim.control.createUser({ displayName: 'U', synced: true })['id']);
    const g = String(sim.control.createGroup({ displayName: 'G', kind: 'security', synced: true })['id']);
    const d = String(sim.control.createDevice({ displayName: 'D' })['id']);
    const res = (await client.api('/directoryObjects/getByIds').select(['id', 'onPremisesSecurityIdentifier', 'deviceId']).post({ ids: [u, g, d, crypto.randomUUID()], types: ['user', 'group', 'device'] })) as Page<Record<string, unknown>>;
    expect(res.value).toHaveLength(3);
    expect(res.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: u, onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-/) });
    expect(res.value[2]).toEqual({ '@odata.type': '#microsoft.graph.device', id: d, onPremisesSecurityIdentifier: null, deviceId: expect.any(String) });
    const usersOnly = (await client.api('/directoryObjects/getByIds').post({ ids: [u, g], types: ['user'] })) as Page<Record<string, unknown>>;
    expect(usersOnly.value.map((x) => x['id'])).toEqual([u]);
  });

  it('soft-deleted Microsoft 365 groups are listed, restored with members, and permanently deleted', async () => {
    grant('Group.ReadWrite.All');
    const u = String(sim.control.createUser({ displayName: 'U' })['id']);
    const g = String(sim.control.createGroup({ displayName: 'Soft', kind: 'm365', members: [u] })['id']);
    await client.api(`/groups/${g}`).delete();
    const list = (await client.api('/directory/deletedItems/microsoft.graph.group').select(['id', 'displayName', 'deletedDateTime']).get()) as Page<Record<string, unknown>>;
    expect(list.value).toEqual([{ '@odata.type': '#microsoft.graph.group', id: g, displayName: 'Soft', deletedDateTime: expect.any(String) }]);
    expect(((await client.api(`/directory/deletedItems/${g}`).get()) as { id: string }).id).toBe(g);
    await client.api(`/directory/deletedItems/${g}/restore`).post({});
    const members = (await client.api(`/groups/${g}/members`).get()) as Page<{ id: string }>;
    expect(members.value.map((m) => m.id)).toEqual([u]);
    await client.api(`/groups/${g}`).delete();
    await client.api(`/directory/deletedItems/${g}`).delete();
    expect((await graphError(client.api(`/directory/deletedItems/${g}`).get())).statusCode).toBe(404);

    const sec = String(sim.control.createGroup({ displayName: 'Sec', kind: 'security' })['id']);
    await client.api(`/groups/${sec}`).delete();
    expect((await graphError(client.api(`/directory/deletedItems/${sec}`).get())).statusCode).toBe(404);
  });

  it('writebackConfiguration is on /beta only; the Group.Unified setting carries NewUnifiedGroupWritebackDefault', async () => {
    grant('Group.ReadWrite.All');
    const g = String(sim.control.createGroup({ displayName: 'M', kind: 'm365' })['id']);
    expect(await client.api(`/groups/${g}`).version('beta').select('writebackConfiguration').get()).toMatchObject({ writebackConfiguration: { isEnabled: null, onPremisesGroupType: null } });
    await client.api(`/groups/${g}`).version('beta').patch({ writebackConfiguration: { isEnabled: false } });
    expect(await client.api(`/groups/${g}`).version('beta').select('writebackConfiguration').get()).toMatchObject({ writebackConfiguration: { isEnabled: false, onPremisesGroupType: null } });
    expect((await graphError(client.api(`/groups/${g}`).select('writebackConfiguration').get())).statusCode).toBe(400);

    expect(((await client.api('/groupSettings').get()) as Page<unknown>).value).toEqual([]);
    sim.control.setTenantSettings({ newUnifiedGroupWritebackDefault: false });
    const settings = (await client.api('/groupSettings').get()) as Page<{ templateId: string; values: { name: string; value: string }[] }>;
    expect(settings.value[0]?.templateId).toBe('62375ab9-6b52-47ed-826b-58e47e0e304b');
    expect(settings.value[0]?.values.find((v) => v.name === 'NewUnifiedGroupWritebackDefault')?.value).toBe('false');
    const beta = (await client.api('/settings').version('beta').get()) as Page<unknown>;
    expect(beta.value).toEqual(settings.value);
  });

  it('$batch: at most 20 requests, outer 200 with per-request statuses, an inner 429 with Retry-After', async () => {
    grant('Group.ReadWrite.All');
    const g = String(sim.control.createGroup({ displayName: 'B', kind: 'security' })['id']);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/groups/${g}` }));
    expect((await graphError(client.api('/$batch').post({ requests: tooMany }))).statusCode).toBe(400);

    sim.control.addFailure({ match: '^GET /v1\\.0/users/', kind: 'throttle', retryAfterSeconds: 7 });
    const res = (await client.api('/$batch').post({
      requests: [
        { id: '1', method: 'GET', url: `/groups/${g}?$select=displayName` },
        { id: '2', method: 'GET', url: `/groups/${crypto.randomUUID()}` },
        { id: '3', method: 'GET', url: `/users/${crypto.randomUUID()}` },
        { id: '4', method: 'PATCH', url: `/groups/${g}`, headers: { 'Content-Type': 'application/json' }, body: { description: 'via batch' } },
        { id: '5', method: 'GET', url: `/groups/${g}`, dependsOn: ['2'] },
      ],
    })) as { responses: { id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> }[] };
    const byId = new Map(res.responses.map((r) => [r.id, r]));
    expect(byId.get('1')?.status).toBe(200);
    expect(byId.get('1')?.body).toMatchObject({ displayName: 'B' });
    expect(byId.get('2')?.status).toBe(404);
    expect(byId.get('2')?.body).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
    expect(byId.get('3')?.status).toBe(429);
    expect(byId.get('3')?.headers['Retry-After']).toBe('7');
    expect(byId.get('4')?.status).toBe(204);
    expect(byId.get('5')?.status).toBe(424);
  });

  it('429 with Retry-After and TooManyRequests envelope; the client retries it when allowed', async () => {
    sim.control.addFailure({ match: '^GET /v1\\.0/groups$', kind: 'throttle', everyNth: 1, times: 1, retryAfterSeconds: 1 });
    const err = await graphError(client.api('/groups').middlewareOptions(noRetry).get());
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('TooManyRequests');
    expect((err.headers as Headers | undefined)?.get('retry-after')).toBe('1');

    sim.control.addFailure({ match: '^GET /v1\\.0/groups$', kind: 'throttle', everyNth: 1, times: 1, retryAfterSeconds: 1 });
    const ok = (await client.api('/groups').get()) as Page<unknown>;
    expect(ok.value).toEqual([]);
    expect(sim.control.listFailures().at(-1)).toMatchObject({ fired: 1, matched: 2 });

    sim.control.clearFailures();
    sim.control.addFailure({ match: '^GET /v1\\.0/devices$', kind: 'error', status: 500, everyNth: 2 });
    const slow = sim.control.addFailure({ match: '^GET /v1\\.0/devices$', kind: 'delay', delayMs: 5 });
    await client.api('/devices').get();
    expect((await graphError(client.api('/devices').middlewareOptions(noRetry).get())).statusCode).toBe(500);
    expect(sim.control.listFailures().find((f) => f.id === slow)?.fired).toBe(2);
  });

  it('requires a bearer token when configured, and the HTTP control API drives the same state', async () => {
    const anon = await fetch(`${sim.baseUrl}/v1.0/groups`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');

    const created = await fetch(`${sim.baseUrl}/_control/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'ViaHttp', kind: 'distribution' }) });
    expect(created.status).toBe(201);
    const g = (await created.json()) as { id: string; mailEnabled: boolean; securityEnabled: boolean };
    expect(g).toMatchObject({ mailEnabled: true, securityEnabled: false });
    expect(((await client.api(`/groups/${g.id}`).select('displayName').get()) as { displayName: string }).displayName).toBe('ViaHttp');
    const bad = await fetch(`${sim.baseUrl}/_control/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'nope' }) });
    expect(bad.status).toBe(400);
    const clock = await fetch(`${sim.baseUrl}/_control/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ set: '2030-01-01T00:00:00Z' }) });
    expect(await clock.json()).toEqual({ now: expect.stringMatching(/^2030-01-01T00:00:0/) });
  });
});

describe('graph simulator over http', () => {
  it('serves plain http and says why an absolute link joined to the base URL fails', async () => {
    const plain = await startGraphSimulator({});
    try {
      expect(plain.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const c = simulatorGraphClient(plain);
      plain.control.createGroup({ displayName: 'P', kind: 'security' });
      expect(((await c.api('/groups').get()) as Page<unknown>).value).toHaveLength(1);
      const err = await graphError(c.api(`${plain.baseUrl}/v1.0/groups`).get());
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain('https');
    } finally {
      await plain.close();
    }
  });
});
