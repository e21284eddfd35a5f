// The local Functions host: HTTP routes and auth levels, timers (on demand and on schedule), queue triggers
// with peek-lock semantics on the embedded queue, and the app's real functions (status API, recordResults).
import type { InvocationContext, Timer } from '@azure/functions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { PoisonMessageError, type FunctionDefinition, type ServiceBusQueueFunctionDefinition } from '../../functions/registry.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import type { Settlement } from '../../dev/host/queue-pump.js';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { pokeMessageSchema } from '../../shared/contracts/poke-message.js';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { silentLogger } from '../../shared/logging.js';
import type { ReceivedMessage } from '../../shared/ports/queue.js';
import { startTestEntra, type TestEntra } from '../support/entra.js';

const tenantId = '7d96a1c4-1111-4a2b-9c3d-0123456789ab';
const groupId = '0bc7e5a1-2222-4c44-8d55-66778899aabb';

let host: LocalHost | undefined;
let runtime: LocalRuntime;
let entra: TestEntra;

beforeAll(async () => {
  entra = await startTestEntra(tenantId);
});
afterAll(async () => {
  await entra.close();
});

async function start(opts: { functions?: readonly FunctionDefinition[]; timers?: boolean; queues?: boolean; functionKey?: string; broker?: EmbeddedBroker } = {}): Promise<LocalHost> {
  host = await startLocalHost({
    runtime: async (hostUrl) => {
      runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger(), ...(opts.broker ? { broker: opts.broker } : {}) });
      return runtime;
    },
    timers: opts.timers ?? false,
    queues: opts.queues ?? true,
    queuePollMs: 50,
    ...(opts.functions ? { functions: opts.functions } : {}),
    ...(opts.functionKey ? { functionKey: opts.functionKey } : {}),
  });
  return host;
}

afterEach(async () => {
  await host?.close();
  host = undefined;
  await runtime?.close();
});

/** Resolves with the next `count` settlements seen by the host. */
function settlements(h: LocalHost, count: number): Promise<{ functionName: string; message: ReceivedMessage; settlement: Settlement }[]> {
  return new Promise((resolve) => {
    const seen: { functionName: string; message: ReceivedMessage; settlement: Settlement }[] = [];
    const off = h.onSettled((e) => {
      seen.push(e);
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

function queueFunction(name: string, queueName: string, isSessionsEnabled: boolean, handler: ServiceBusQueueFunctionDefinition['handler']): ServiceBusQueueFunctionDefinition {
  return { name, trigger: { type: 'serviceBusQueue', queueName, connection: 'ServiceBusConnection', isSessionsEnabled }, handler };
}

describe('function registration', () => {
  it('functions/index.ts imports outside the Functions worker and registers the catalog', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const index = await import('../../functions/index.js');
    expect(index.functionDefinitions.map((d) => d.name)).toEqual(expect.arrayContaining(['graphWebhook', 'graphLifecycle', 'subscriptions', 'recordResults', 'status', 'resync']));
    // In test mode @azure/functions says it skipped each registration.
    expect(warn.mock.calls.some((c) => String(c[0]).includes('Skipping call to register function "graphWebhook"'))).toBe(true);
    warn.mockRestore();
  });
});

describe('local host: HTTP', () => {
  it('serves the status API with route parameters and 404/405, to a signed-in admin', async () => {
    const h = await start();
    const headers = entra.headers(['Writeback.Read']);
    const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${h.url}${path}`, { headers, ...init });
    const list = await get('/api/status');
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ count: 0, value: [], nextSkip: null });
    expect((await get(`/api/status/${groupId}`)).status).toBe(404);
    expect((await get('/api/status/not-a-guid')).status).toBe(400);
    expect((await get('/api/status', { method: 'DELETE' })).status).toBe(405);
    expect((await get('/api/nothing-here')).status).toBe(404);
    expect((await get('/status')).status).toBe(404);
  });

  it('checks function keys for authLevel function routes when given one', async () => {
    const keyed: FunctionDefinition = {
      name: 'keyed',
      trigger: { type: 'http', route: 'keyed', methods: ['GET'], authLevel: 'function' },
      handler: () => Promise.resolve({ status: 200, body: 'ok' }),
    };
    const h = await start({ functionKey: 'k-123', functions: [keyed] });
    expect((await fetch(`${h.url}/api/keyed`)).status).toBe(401);
    expect((await fetch(`${h.url}/api/keyed`, { headers: { 'x-functions-key': 'k-123' } })).status).toBe(200);
    expect((await fetch(`${h.url}/api/keyed?code=k-123`)).status).toBe(200);
    expect((await fetch(`${h.url}/api/keyed?code=wrong`)).status).toBe(401);
  });

  it('POST /api/resync enqueues a reconcile poke', async () => {
    const h = await start({ queues: false }); // planChanges would take the poke
    const headers = entra.headers();
    expect((await fetch(`${h.url}/api/resync`, { method: 'POST', headers: entra.headers(['Writeback.Read']) })).status).toBe(403);
    const res = await fetch(`${h.url}/api/resync`, { method: 'POST', headers, body: JSON.stringify({ groupIds: [groupId] }) });
    expect(res.status).toBe(202);
    const session = await runtime.queue.acceptNextSession(runtime.config.GRAPH_CHANGES_QUEUE, 100);
    const [m] = await session!.receive(1, 100);
    expect(pokeMessageSchema.parse(m!.body)).toMatchObject({ reason: 'reconcile', groupIds: [groupId], tenantId });
    expect((await fetch(`${h.url}/api/resync`, { method: 'POST', headers, body: '{"mode":"everything"}' })).status).toBe(400);
  });

  it('an unhandled error in a handler is a 500 without details', async () => {
    const h = await start({
      functions: [{ name: 'boom', trigger: { type: 'http', route: 'boom', methods: ['GET'], authLevel: 'anonymous' }, handler: () => Promise.reject(new Error('secret detail')) }],
    });
    const res = await fetch(`${h.url}/api/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret detail');
  });
});

describe('local host: timers', () => {
  it('runs a timer on demand and on its schedule (settings resolved), runOnStartup included', async () => {
    const calls: { isPastDue: boolean; fn: string }[] = [];
    const h = await start({
      timers: true,
      functions: [
        {
          name: 'tick',
          trigger: { type: 'timer', schedule: '%SUBSCRIPTION_SCHEDULE%', runOnStartup: true },
          handler: (timer: Timer, context: InvocationContext) => {
            calls.push({ isPastDue: timer.isPastDue, fn: context.functionName });
          },
        },
        { name: 'every-second', trigger: { type: 'timer', schedule: '* * * * * *' }, handler: () => void calls.push({ isPastDue: false, fn: 'every-second' }) },
      ],
    });
    await vi.waitFor(() => expect(calls.some((c) => c.fn === 'tick')).toBe(true)); // runOnStartup
    await h.runTimer('tick');
    expect(calls.filter((c) => c.fn === 'tick')).toHaveLength(2);
    await vi.waitFor(() => expect(calls.some((c) => c.fn === 'every-second')).toBe(true), { timeout: 5000 });
    await expect(h.runTimer('nope')).rejects.toThrow(/no timer/);
  });

  it('runTimer surfaces the handler error', async () => {
    const h = await start({ functions: [{ name: 'bad', trigger: { type: 'timer', schedule: '0 0 0 * * *' }, handler: () => Promise.reject(new Error('timer failed')) }] });
    await expect(h.runTimer('bad')).rejects.toThrow('timer failed');
    expect(h.idle()).toBe(true);
  });
});

describe('local host: queue triggers', () => {
  it('completes on success, abandons on a throw (redelivered with a higher count), dead-letters after max deliveries', async () => {
    const broker = new EmbeddedBroker({ queues: { work: { requiresSession: false, maxDeliveryCount: 3 } } });
    const seen: { body: unknown; deliveryCount: unknown }[] = [];
    const h = await start({
      broker,
      functions: [
        queueFunction('worker', 'work', false, (body, context) => {
          seen.push({ body, deliveryCount: context.triggerMetadata?.['deliveryCount'] });
          const b = body as { failTimes: number };
          if ((context.triggerMetadata?.['deliveryCount'] as number) <= b.failTimes) throw new Error('transient');
        }),
      ],
    });
    const done = settlements(h, 1 + 3 + 3);
    await runtime.queue.sender('work').send([
      { messageId: 'ok', body: { failTimes: 0 } },
      { messageId: 'flaky', body: { failTimes: 2 } },
      { messageId: 'doomed', body: { failTimes: 99 } },
    ]);
    const events = await done;
    const byId = (id: string): Settlement[] => events.filter((e) => e.message.messageId === id).map((e) => e.settlement);
    expect(byId('ok')).toEqual(['completed']);
    expect(byId('flaky')).toEqual(['abandoned', 'abandoned', 'completed']);
    expect(byId('doomed')).toEqual(['abandoned', 'abandoned', 'abandoned']);
    await vi.waitFor(async () => expect(await runtime.queue.peekDeadLetters('work', 10)).toHaveLength(1));
    const [dead] = await runtime.queue.peekDeadLetters('work', 10);
    expect(dead).toMatchObject({ messageId: 'doomed', deadLetterReason: 'MaxDeliveryCountExceeded' });
    expect(seen.filter((s) => (s.body as { failTimes: number }).failTimes === 2).map((s) => s.deliveryCount)).toEqual([1, 2, 3]);
    await h.whenIdle();
    expect(broker.idle('work')).toBe(true);
  });

  it('a PoisonMessageError dead-letters at once with its reason', async () => {
    const broker = new EmbeddedBroker({ queues: { work: { requiresSession: false } } });
    const h = await start({
      broker,
      functions: [queueFunction('worker', 'work', false, () => Promise.reject(new PoisonMessageError('InvalidThing', 'field x: required')))],
    });
    const done = settlements(h, 1);
    await runtime.queue.sender('work').send([{ messageId: 'bad', body: { x: null } }]);
    expect((await done)[0]!.settlement).toBe('deadLettered');
    const [dead] = await runtime.queue.peekDeadLetters('work', 10);
    expect(dead).toMatchObject({ messageId: 'bad', deliveryCount: 1, deadLetterReason: 'InvalidThing', deadLetterDescription: 'field x: required' });
  });

  it('session queues: each session in order', async () => {
    const broker = new EmbeddedBroker({ queues: { ordered: { requiresSession: true } } });
    const order: string[] = [];
    const h = await start({
      broker,
      functions: [queueFunction('ordered', 'ordered', true, (body, context) => void order.push(`${String(context.triggerMetadata?.['sessionId'])}:${String(body)}`))],
    });
    const done = settlements(h, 6);
    await runtime.queue.sender('ordered').send([
      { messageId: 'a1', sessionId: 'A', body: 1 },
      { messageId: 'b1', sessionId: 'B', body: 1 },
      { messageId: 'a2', sessionId: 'A', body: 2 },
      { messageId: 'b2', sessionId: 'B', body: 2 },
      { messageId: 'a3', sessionId: 'A', body: 3 },
      { messageId: 'b3', sessionId: 'B', body: 3 },
    ]);
    await done;
    expect(order.filter((o) => o.startsWith('A:'))).toEqual(['A:1', 'A:2', 'A:3']);
    expect(order.filter((o) => o.startsWith('B:'))).toEqual(['B:1', 'B:2', 'B:3']);
  });
});

describe('recordResults through the local host', () => {
  const result = (seq: number, over: Partial<ResultMessage> = {}): ResultMessage => ({
    v: 1,
    tenantId,
    groupId,
    seq,
    messageId: `${groupId}:${seq}`,
    kind: 'upsert',
    outcome: 'applied',
    ad: { objectGUID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', objectSid: 'S-1-5-21-1-2-3-1105', dn: 'CN=Sales,OU=Groups,DC=corp,DC=example' },
    memberErrors: [],
    error: null,
    membersAdded: 3,
    membersRemoved: 0,
    durationMs: 12,
    relayId: 'relay-a',
    at: '2025-01-01T00:00:00.000Z',
    ...over,
  });

  it('stores the status, ignores an older result, dead-letters an invalid one', async () => {
    const h = await start({ functions: functionDefinitions });
    const sender = runtime.queue.sender(runtime.config.WRITEBACK_RESULTS_QUEUE);
    let done = settlements(h, 1);
    await sender.send([{ messageId: 'r2', body: result(2, { outcome: 'partial', memberErrors: [{ member: 'u1', code: '8518', message: 'scope' }] }) }]);
    await done;
    done = settlements(h, 2);
    await sender.send([{ messageId: 'r1', body: result(1) }, { messageId: 'junk', body: { v: 1, groupId } }]);
    const events = await done;
    expect(events.map((e) => [e.message.messageId, e.settlement])).toEqual([
      ['r1', 'completed'],
      ['junk', 'deadLettered'],
    ]);
    const res = await fetch(`${h.url}/api/status/${groupId}`, { headers: entra.headers(['Writeback.Read']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      state: 'partial',
      lastResultSeq: 2,
      memberErrors: [{ member: 'u1', code: '8518' }],
      ad: { dn: 'CN=Sales,OU=Groups,DC=corp,DC=example' },
    });
    const [dead] = await runtime.queue.peekDeadLetters(runtime.config.WRITEBACK_RESULTS_QUEUE, 10);
    expect(dead).toMatchObject({ messageId: 'junk', deadLetterReason: 'InvalidResultMessage' });
    expect(dead!.deadLetterDescription).toMatch(/seq/);
    await h.whenIdle();
    expect(h.idle()).toBe(true);
  });
});
