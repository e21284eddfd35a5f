// The subscriptions timer against the Graph simulator, through the real Graph client and the local host
// (the simulator runs the validation handshake against the host's graphWebhook before it creates anything).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { MAX_SUBSCRIPTION_MINUTES } from '../../shared/app/subscriptions/subscription-keeper.js';
import { TABLES } from '../../shared/state/tables.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import { silentLogger } from '../../shared/logging.js';

const DAY = 86_400_000;
let nowMs = Date.UTC(2025, 0, 1, 12);
const clock = (): Date => new Date(nowMs);
let stack: FunctionsStack;

interface SimSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
}

const subs = (): SimSubscription[] => stack.sim.control.listSubscriptions() as unknown as SimSubscription[];

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

function minutesLeft(s: SimSubscription): number {
  return (Date.parse(s.expirationDateTime) - nowMs) / 60_000;
}

beforeEach(async () => {
  nowMs = Date.UTC(2025, 0, 1, 12);
  stack = await startFunctionsStack({
    sim: { clock, delivery: { retryDelaysMs: [] } },
    now: clock,
    log: silentLogger(),
    host: { timers: false, queues: false },
  });
});

afterEach(async () => {
  await stack.close();
});

describe('subscriptions timer', () => {
  it('creates the tenant-wide groups subscription with our URLs and secret, and asks for a resync', async () => {
    await stack.host.runTimer('subscriptions');
    const [s, ...rest] = subs();
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      resource: 'groups',
      changeType: 'updated,deleted',
      notificationUrl: stack.runtime.config.NOTIFICATION_URL,
      lifecycleNotificationUrl: stack.runtime.config.LIFECYCLE_NOTIFICATION_URL,
      clientState: stack.runtime.config.CLIENT_STATE_SECRET,
    });
    expect(minutesLeft(s!)).toBeLessThanOrEqual(MAX_SUBSCRIPTION_MINUTES);
    expect(minutesLeft(s!)).toBeGreaterThan(MAX_SUBSCRIPTION_MINUTES - 120);
    expect((await pokes()).map((p) => p.reason)).toEqual(['resync']);
    expect((await stack.runtime.subscriptions.load(stack.sim.tenantId))?.subscriptionId).toBe(s!.id);
  });

  it('keeps a young subscription as it is; renews it once less than half its life remains', async () => {
    await stack.host.runTimer('subscriptions');
    const first = subs()[0]!;
    await pokes();

    nowMs += 5 * DAY;
    await stack.host.runTimer('subscriptions');
    expect(subs()[0]).toEqual(first);

    nowMs += 10 * DAY; // 15 days in: less than half of ~29 days left
    await stack.host.runTimer('subscriptions');
    const renewed = subs()[0]!;
    expect(renewed.id).toBe(first.id);
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(first.expirationDateTime));
    expect(minutesLeft(renewed)).toBeLessThanOrEqual(MAX_SUBSCRIPTION_MINUTES);
    expect(await pokes()).toEqual([]); // renewal loses nothing: no resync
    expect((await stack.runtime.subscriptions.load(stack.sim.tenantId))?.expirationDateTime).toBe(renewed.expirationDateTime);
  });

  it('recreates the subscription when Graph no longer has it (404), with a resync', async () => {
    await stack.host.runTimer('subscriptions');
    const old = subs()[0]!;
    await pokes();
    await stack.runtime.graph.api(`/subscriptions/${old.id}`).delete();
    await stack.host.runTimer('subscriptions');
    const now = subs();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(old.id);
    expect((await pokes()).map((p) => p.reason)).toEqual(['resync']);
  });

  it('recreates after the subscription expired unnoticed (timer down for a month)', async () => {
    await stack.host.runTimer('subscriptions');
    const old = subs()[0]!;
    nowMs += 30 * DAY;
    expect(subs()).toEqual([]); // Graph dropped it
    await stack.host.runTimer('subscriptions');
    expect(subs()).toHaveLength(1);
    expect(subs()[0]!.id).not.toBe(old.id);
  });

  it('without a record, removes subscriptions of ours left behind before creating one', async () => {
    await stack.host.runTimer('subscriptions');
    await stack.host.runTimer('subscriptions');
    expect(subs()).toHaveLength(1);
    // State lost (table wiped): the old subscription would double every notification.
    await stack.runtime.tables.deleteTable(TABLES.subscriptions);
    await stack.runtime.tables.ensureTable(TABLES.subscriptions);
    const old = subs()[0]!;
    await stack.host.runTimer('subscriptions');
    expect(subs()).toHaveLength(1);
    expect(subs()[0]!.id).not.toBe(old.id);
  });

  it('after a secret rotation, replaces the subscription: new secret first, then the old one goes', async () => {
    await stack.host.runTimer('subscriptions');
    const old = subs()[0]!;
    const oldSecret = stack.runtime.secrets.current;
    stack.runtime.secrets = { current: 'rotated-secret-value-0123456789', previous: oldSecret };
    await stack.host.runTimer('subscriptions');
    const now = subs();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(old.id);
    expect(now[0]!.clientState).toBe('rotated-secret-value-0123456789');
  });

  it('a changed lifecycle URL (cannot be PATCHed) replaces the subscription', async () => {
    await stack.host.runTimer('subscriptions');
    const old = subs()[0]!;
    stack.runtime.config.LIFECYCLE_NOTIFICATION_URL = `${stack.host.url}/api/graph/lifecycle?moved=1`;
    await stack.host.runTimer('subscriptions');
    const now = subs();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(old.id);
    expect(now[0]!.lifecycleNotificationUrl).toBe(stack.runtime.config.LIFECYCLE_NOTIFICATION_URL);
  });

  it('a failed validation handshake creates nothing and records nothing', async () => {
    stack.runtime.config.NOTIFICATION_URL = `${stack.host.url}/api/does-not-exist`;
    await expect(stack.host.runTimer('subscriptions')).rejects.toThrow(/validation/i);
    expect(subs()).toEqual([]);
    expect(await stack.runtime.subscriptions.load(stack.sim.tenantId)).toBeNull();
    expect(await pokes()).toEqual([]);
  });

  it('a group change reaches the webhook and becomes one poke', async () => {
    await stack.host.runTimer('subscriptions');
    await pokes();
    const g = stack.sim.control.createGroup({ displayName: 'Sales' }) as { id: string };
    await stack.sim.control.idle();
    expect(stack.sim.control.deliveryStats()).toMatchObject({ failures: 0 });
    const got = await pokes();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ reason: 'notification', groupIds: [g.id] });
  });
});
