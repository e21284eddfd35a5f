// graphLifecycle: the simulator sends lifecycle notifications to the local host like Graph does; the handler
// reauthorizes, recreates or asks for a resync.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import { silentLogger } from '../../shared/logging.js';

let stack: FunctionsStack;
let subscriptionId: string;

const subs = (): { id: string; clientState: string | null }[] => stack.sim.control.listSubscriptions() as unknown as { id: string; clientState: string | null }[];

async function pokes(): Promise<PokeMessage[]> {
  const out: PokeMessage[] = [];
  const session = await stack.runtime.queue.acceptNextSession(stack.runtime.config.GRAPH_CHANGES_QUEUE, 10);
  if (session === null) return out;
  for (let m = (await session.receive(1, 10))[0]; m !== undefined; m = (await session.receive(1, 10))[0]) {
    out.push(pokeMessageSchema.parse(m.body));
    await session.complete(m);
  }
  await session.close();
  return out;
}

function lastDelivery(): { kind: string; lastStatus: number | null } {
  const all = stack.sim.control.deliveries().filter((d) => d.kind === 'lifecycle');
  return all[all.length - 1]!;
}

beforeEach(async () => {
  stack = await startFunctionsStack({ sim: { delivery: { retryDelaysMs: [] } }, log: silentLogger(), host: { timers: false, queues: false } });
  await stack.host.runTimer('subscriptions');
  subscriptionId = subs()[0]!.id;
  await pokes();
});

afterEach(async () => {
  await stack.close();
});

describe('graphLifecycle', () => {
  it('reauthorizationRequired: 202, reauthorizes the subscription, one delta round to catch up', async () => {
    const probe = stack.sim.control.addFailure({ match: '^POST /v1\\.0/subscriptions/[^/]+/reauthorize$', kind: 'delay', delayMs: 0 });
    stack.sim.control.triggerLifecycle(subscriptionId, 'reauthorizationRequired');
    await stack.sim.control.idle();
    expect(lastDelivery().lastStatus).toBe(202);
    expect(stack.sim.control.listFailures().find((f) => f.id === probe)?.matched).toBe(1);
    expect(subs().map((s) => s.id)).toEqual([subscriptionId]);
    expect((await pokes()).map((p) => p.reason)).toEqual(['notification']);
  });

  it('reauthorizationRequired when reauthorize is refused: falls back to renewing the expiry', async () => {
    stack.sim.control.addFailure({ match: '^POST /v1\\.0/subscriptions/[^/]+/reauthorize$', kind: 'error', status: 403 });
    const renew = stack.sim.control.addFailure({ match: '^PATCH /v1\\.0/subscriptions/[^/]+$', kind: 'delay', delayMs: 0 });
    stack.sim.control.triggerLifecycle(subscriptionId, 'reauthorizationRequired');
    await stack.sim.control.idle();
    expect(lastDelivery().lastStatus).toBe(202);
    expect(stack.sim.control.listFailures().find((f) => f.id === renew)?.matched).toBe(1);
    expect(subs().map((s) => s.id)).toEqual([subscriptionId]);
    expect((await pokes()).map((p) => p.reason)).toEqual(['notification']);
  });

  it('subscriptionRemoved: 202, a new subscription, one resync', async () => {
    stack.sim.control.triggerLifecycle(subscriptionId, 'subscriptionRemoved');
    await stack.sim.control.idle();
    expect(lastDelivery().lastStatus).toBe(202);
    const now = subs();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(subscriptionId);
    expect((await stack.runtime.subscriptions.load(stack.sim.tenantId))?.subscriptionId).toBe(now[0]!.id);
    expect((await pokes()).map((p) => p.reason)).toEqual(['resync']);
  });

  it('missed: 202 and one resync; the subscription stays', async () => {
    stack.sim.control.triggerLifecycle(subscriptionId, 'missed');
    await stack.sim.control.idle();
    expect(lastDelivery().lastStatus).toBe(202);
    expect(subs().map((s) => s.id)).toEqual([subscriptionId]);
    expect((await pokes()).map((p) => p.reason)).toEqual(['resync']);
  });

  it('a batch over 1 MiB with repeated events: 202, each distinct event handled once', async () => {
    const probe = stack.sim.control.addFailure({ match: '^POST /v1\\.0/subscriptions/[^/]+/reauthorize$', kind: 'delay', delayMs: 0 });
    const clientState = subs()[0]!.clientState!;
    const event = (lifecycleEvent: string): Record<string, string> => ({
      subscriptionId,
      subscriptionExpirationDateTime: '2030-03-20T11:00:00.0000000Z',
      tenantId: stack.sim.tenantId,
      clientState,
      lifecycleEvent,
    });
    const value = Array.from({ length: 6000 }, (_, i) => event(i % 2 === 0 ? 'reauthorizationRequired' : 'missed'));
    const body = JSON.stringify({ value });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await fetch(stack.runtime.config.LIFECYCLE_NOTIFICATION_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    expect(stack.sim.control.listFailures().find((f) => f.id === probe)?.matched).toBe(1);
    expect((await pokes()).map((p) => p.reason)).toEqual(['resync']);
  });

  it('forged lifecycle notifications change nothing', async () => {
    const body = { value: [{ subscriptionId, clientState: 'forged-forged-forged', lifecycleEvent: 'subscriptionRemoved', tenantId: stack.sim.tenantId }] };
    const res = await fetch(stack.runtime.config.LIFECYCLE_NOTIFICATION_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(401);
    expect(subs().map((s) => s.id)).toEqual([subscriptionId]);
    expect(await pokes()).toEqual([]);
  });

  it('the lifecycle endpoint answers the validation handshake and refuses bad bodies', async () => {
    const url = stack.runtime.config.LIFECYCLE_NOTIFICATION_URL;
    const hs = await fetch(`${url}?validationToken=tok%26en`, { method: 'POST' });
    expect(hs.status).toBe(200);
    expect(await hs.text()).toBe('tok&en');
    expect((await fetch(url, { method: 'POST', body: '{nope' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: JSON.stringify({ value: [{ lifecycleEvent: 'missed' }] }) })).status).toBe(400);
    expect(await pokes()).toEqual([]);
  });
});
