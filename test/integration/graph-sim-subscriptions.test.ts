// Graph simulator: subscriptions (validation handshake, expiry clamping, limits) and notification
// deliveries (payload shape, retries on non-2xx and on no answer, lifecycle events), via the real client.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { simulatorGraphClient, startWebhookReceiver, type WebhookReceiver } from '../support/graph.js';

let sim: GraphSimulator;
let client: Client;
let hook: WebhookReceiver;
const CLIENT_STATE = 'a-secret-client-state-value';

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error('expected the call to fail');
}

const inMinutes = (m: number): string => new Date(sim.control.now().getTime() + m * 60_000).toISOString();

function subscriptionBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { changeType: 'updated,deleted', notificationUrl: hook.url, lifecycleNotificationUrl: hook.url, resource: 'groups', expirationDateTime: inMinutes(60), clientState: CLIENT_STATE, ...over };
}

interface Sub { id: string; expirationDateTime: string; clientState: string; resource: string }

beforeAll(async () => {
  sim = await startGraphSimulator({ tls: true, requireAuth: true, delivery: { timeoutMs: 300, retryDelaysMs: [30, 30, 30] } });
  client = simulatorGraphClient(sim);
});
afterAll(async () => sim.close());
beforeEach(async () => {
  sim.control.reset();
  sim.control.setSubscriptionLimits({ validationTimeoutMs: 10_000, maxSubscriptions: 100 });
  hook = await startWebhookReceiver();
});
afterEach(async () => hook.close());

describe('graph simulator: subscriptions', () => {
  it('validates notificationUrl and lifecycleNotificationUrl (twice when equal) with a decoded token in text/plain', async () => {
    const sub = (await client.api('/subscriptions').post(subscriptionBody())) as Sub & Record<string, unknown>;
    expect(sub).toMatchObject({ resource: 'groups', changeType: 'updated,deleted', clientState: CLIENT_STATE, notificationUrl: hook.url, lifecycleNotificationUrl: hook.url, includeResourceData: false, latestSupportedTlsVersion: 'v1_2' });
    const validations = hook.calls.filter((c) => c.query.has('validationToken'));
    expect(validations).toHaveLength(2);
    expect(validations[0]?.contentType).toMatch(/^text\/plain/);
    expect(validations[0]?.query.get('validationToken')).toContain(' ');
    const listed = (await client.api('/subscriptions').get()) as { value: Sub[] };
    expect(listed.value.map((s) => s.id)).toEqual([sub.id]);
    expect(((await client.api(`/subscriptions/${sub.id}`).get()) as Sub).id).toBe(sub.id);
  });

  it('refuses the subscription when validation fails: wrong body, non-200, no answer in time', async () => {
    hook.validation = { kind: 'wrongToken' };
    const wrong = await graphError(client.api('/subscriptions').post(subscriptionBody()));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.code).toBe('ValidationError');
    hook.validation = { kind: 'status', status: 403 };
    expect((await graphError(client.api('/subscriptions').post(subscriptionBody()))).statusCode).toBe(400);
    hook.validation = { kind: 'hang' };
    sim.control.setSubscriptionLimits({ validationTimeoutMs: 200 });
    const slow = await graphError(client.api('/subscriptions').post(subscriptionBody()));
    expect(slow.statusCode).toBe(400);
    expect(slow.message).toContain('timed out');
    expect(((await client.api('/subscriptions').get()) as { value: unknown[] }).value).toEqual([]);
  });

  it('applies Graph rules: expiry raised to 45 min, max 41,760 min, clientState <= 128, group change types, https, quota', async () => {
    const soon = (await client.api('/subscriptions').post(subscriptionBody({ expirationDateTime: inMinutes(5) }))) as Sub;
    const minutes = (Date.parse(soon.expirationDateTime) - sim.control.now().getTime()) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(44.9);
    expect(minutes).toBeLessThanOrEqual(45.1);
    const tooLate = await graphError(client.api('/subscriptions').post(subscriptionBody({ expirationDateTime: inMinutes(41_761) })));
    expect(tooLate.statusCode).toBe(400);
    expect((await client.api('/subscriptions').post(subscriptionBody({ expirationDateTime: inMinutes(41_759) }))) as Sub).toHaveProperty('id');
    expect((await graphError(client.api('/subscriptions').post(subscriptionBody({ clientState: 'x'.repeat(129) })))).statusCode).toBe(400);
    expect((await graphError(client.api('/subscriptions').post(subscriptionBody({ changeType: 'created' })))).statusCode).toBe(400);
    expect((await graphError(client.api('/subscriptions').post(subscriptionBody({ notificationUrl: 'http://example.com/hook' })))).statusCode).toBe(400);

    sim.control.setSubscriptionLimits({ maxSubscriptions: 2 });
    const quota = await graphError(client.api('/subscriptions').post(subscriptionBody()));
    expect(quota.statusCode).toBe(403);
  });

  it('renews by PATCH (not the lifecycle URL), reauthorizes, deletes; expired subscriptions disappear', async () => {
    const sub = (await client.api('/subscriptions').post(subscriptionBody())) as Sub;
    const renewed = (await client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(600) })) as Sub;
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(sub.expirationDateTime));
    expect((await graphError(client.api(`/subscriptions/${sub.id}`).patch({ lifecycleNotificationUrl: hook.url }))).statusCode).toBe(400);
    await client.api(`/subscriptions/${sub.id}/reauthorize`).post({});
    sim.control.advanceClock(601 * 60_000);
    expect((await graphError(client.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);

    const other = (await client.api('/subscriptions').post(subscriptionBody())) as Sub;
    await client.api(`/subscriptions/${other.id}`).delete();
    expect((await graphError(client.api(`/subscriptions/${other.id}`).get())).statusCode).toBe(404);
  });
});

describe('graph simulator: notification deliveries', () => {
  it('posts basic group notifications in Graph shape: updated on change and soft delete, deleted on permanent delete', async () => {
    const u = String(sim.control.createUser({ displayName: 'U' })['id']);
    const sec = String(sim.control.createGroup({ displayName: 'Sec', kind: 'security' })['id']);
    const sub = (await client.api('/subscriptions').post(subscriptionBody())) as Sub;
    sim.control.addMembers(sec, [u]);
    await sim.control.idle();
    const [first] = hook.notificationBodies() as { value: Record<string, unknown>[] }[];
    expect(first?.value).toEqual([
      {
        changeType: 'updated',
        clientState: CLIENT_STATE,
        resource: `Groups/${sec}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.Group', '@odata.id': `Groups/${sec}`, id: sec, organizationId: sim.tenantId, eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/), sequenceNumber: expect.any(Number) },
        subscriptionExpirationDateTime: expect.stringMatching(/\+00:00$/),
        subscriptionId: sub.id,
        tenantId: sim.tenantId,
      },
    ]);

    const m365 = String(sim.control.createGroup({ displayName: 'M', kind: 'm365' })['id']);
    await sim.control.idle();
    const before = hook.notificationBodies().length;
    // Deleted in the directory (by an admin: the app itself holds no write permission).
    sim.control.deleteGroup(m365);
    sim.control.deleteGroup(sec);
    await sim.control.idle();
    const items = (hook.notificationBodies().slice(before) as { value: { changeType: string; resourceData: { id: string } }[] }[]).flatMap((b) => b.value);
    expect(items.map((i) => [i.resourceData.id, i.changeType])).toEqual([
      [m365, 'updated'],
      [sec, 'deleted'],
    ]);
  });

  it('only notifies subscriptions whose resource and change types match', async () => {
    const a = String(sim.control.createGroup({ displayName: 'A', kind: 'security' })['id']);
    const b = String(sim.control.createGroup({ displayName: 'B', kind: 'security' })['id']);
    await client.api('/subscriptions').post(subscriptionBody({ resource: `/groups/${a}`, changeType: 'deleted' }));
    sim.control.updateGroup(a, { properties: { description: 'x' } });
    sim.control.deleteGroup(b);
    sim.control.deleteGroup(a);
    await sim.control.idle();
    const items = (hook.notificationBodies() as { value: { changeType: string; resourceData: { id: string } }[] }[]).flatMap((x) => x.value);
    expect(items.map((i) => [i.resourceData.id, i.changeType])).toEqual([[a, 'deleted']]);
  });

  it('retries when the endpoint answers non-2xx or does not answer in time, then records success', async () => {
    const g = String(sim.control.createGroup({ displayName: 'R', kind: 'security' })['id']);
    await client.api('/subscriptions').post(subscriptionBody());
    hook.notifications = (n) => (n === 1 ? { kind: 'status', status: 500 } : n === 2 ? { kind: 'hang' } : { kind: 'ok', status: 202 });
    sim.control.updateGroup(g, { properties: { description: 'retry me' } });
    await sim.control.idle();
    const [delivery] = sim.control.deliveries();
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, null, 202]);
    expect(sim.control.deliveryStats()).toMatchObject({ deliveries: 1, attempts: 3, successes: 1, failures: 0, pending: 0, lastStatus: 202 });
  });

  it('gives up after the configured retries', async () => {
    const g = String(sim.control.createGroup({ displayName: 'X', kind: 'security' })['id']);
    await client.api('/subscriptions').post(subscriptionBody());
    hook.notifications = { kind: 'status', status: 503 };
    sim.control.updateGroup(g, { properties: { description: 'never accepted' } });
    await sim.control.idle();
    expect(sim.control.deliveryStats()).toMatchObject({ deliveries: 1, attempts: 4, successes: 0, failures: 1 });
  });

  it('sends lifecycle notifications on request; subscriptionRemoved removes the subscription', async () => {
    const sub = (await client.api('/subscriptions').post(subscriptionBody())) as Sub;
    sim.control.triggerLifecycle(sub.id, 'reauthorizationRequired');
    sim.control.triggerLifecycle(sub.id, 'subscriptionRemoved');
    await sim.control.idle();
    const items = (hook.notificationBodies() as { value: Record<string, unknown>[] }[]).flatMap((b) => b.value);
    expect(items).toEqual([
      { subscriptionId: sub.id, subscriptionExpirationDateTime: expect.stringMatching(/\.\d{7}Z$/), tenantId: sim.tenantId, clientState: CLIENT_STATE, lifecycleEvent: 'reauthorizationRequired' },
      expect.objectContaining({ subscriptionId: sub.id, lifecycleEvent: 'subscriptionRemoved' }),
    ]);
    expect((await graphError(client.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);
  });
});
