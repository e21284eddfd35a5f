// One change followed end to end by its W3C trace (docs/operations.md, "Following one change"): the trace of the
// webhook's invocation is on the poke, planChanges logs it and puts it on the change set's message, the relay's
// result carries it back (relay/consume/results.ts), and recordResults logs it. The functions run as the catalog
// registers them (functions/catalog.ts), on the embedded queue with the Graph simulator; the relay's part is its
// own result building, without a DC.
import { Writable } from 'node:stream';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { QueuePump } from '../../dev/host/queue-pump.js';
import { functionDefinitions } from '../../functions/catalog.js';
import { isHttpFunction, isQueueFunction, type HttpFunctionDefinition, type ServiceBusQueueFunctionDefinition } from '../../functions/registry.js';
import { buildResult, resultOutgoing } from '../../relay/consume/results.js';
import { validateWriteback } from '../../relay/consume/validate-message.js';
import { parseTraceparent, traceFromProperties, TRACEPARENT_PROPERTY } from '../../shared/observability/trace-context.js';
import { silentLogger } from '../../shared/logging.js';
import type { ReceivedMessage } from '../../shared/ports/queue.js';

const GROUP = 'c1000000-0000-4000-8000-000000000001';
/** What the Functions host hands the webhook's invocation (Graph's request, or the host's own start). */
const WEBHOOK_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

interface LogRecord {
  msg: string;
  traceId?: string;
  [key: string]: unknown;
}

let stack: FunctionsStack;
let records: LogRecord[];
const pumps: QueuePump[] = [];

function capturingLogger(): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

function registered<T extends 'http' | 'queue'>(name: string, kind: T): T extends 'http' ? HttpFunctionDefinition : ServiceBusQueueFunctionDefinition {
  const d = functionDefinitions.find((f) => f.name === name)!;
  if (kind === 'http' ? !isHttpFunction(d) : !isQueueFunction(d)) throw new Error(`${name} is not a ${kind} function`);
  return d as T extends 'http' ? HttpFunctionDefinition : ServiceBusQueueFunctionDefinition;
}

/** Runs a queue function from the catalog until its queue is idle; the messages it handled. */
async function drain(name: string, queueName: string): Promise<ReceivedMessage[]> {
  const handled: ReceivedMessage[] = [];
  const pump = new QueuePump({ def: registered(name, 'queue'), queueName, queue: stack.runtime.queue, pollMs: 20, log: silentLogger(), track: (work) => work() });
  pump.onSettled = (message) => void handled.push(message);
  pumps.push(pump);
  pump.start();
  expect(await stack.runtime.broker.whenIdle(queueName, 20_000)).toBe(true);
  await pump.stop();
  return handled;
}

/** Everything on a session queue, settled. */
async function takeAll(queueName: string): Promise<ReceivedMessage[]> {
  const out: ReceivedMessage[] = [];
  for (;;) {
    const session = await stack.runtime.queue.acceptNextSession(queueName, 50);
    if (session === null) return out;
    for (;;) {
      const [m] = await session.receive(1, 20);
      if (m === undefined) break;
      out.push(m);
      await session.complete(m);
    }
    await session.close();
  }
}

beforeEach(async () => {
  records = [];
  stack = await startFunctionsStack({ log: capturingLogger(), host: { queues: false, timers: false } });
});

afterEach(async () => {
  for (const pump of pumps.splice(0)) await pump.stop();
  await stack.close();
});

describe('one change, one trace: webhook -> poke -> change set -> relay result -> recordResults', () => {
  it('carries the webhook invocation\'s trace id on every message and log line of the handling', async () => {
    const { config } = stack.runtime;
    stack.sim.control.createGroup({ id: GROUP, displayName: 'Traced', kind: 'security', writebackConfiguration: { isEnabled: true } });

    // Graph posts a notification; the host gave the invocation its trace context.
    const notification = {
      subscriptionId: 'd850b120-19bb-4291-b9c4-845ea04dd38d',
      clientState: config.CLIENT_STATE_SECRET,
      changeType: 'updated',
      resource: `Groups/${GROUP}`,
      resourceData: { id: GROUP },
      tenantId: stack.sim.tenantId,
    };
    const request = new HttpRequest({ method: 'POST', url: config.NOTIFICATION_URL, body: { string: JSON.stringify({ value: [notification] }) } });
    const context = new InvocationContext({ functionName: 'graphWebhook', traceContext: { traceParent: WEBHOOK_TRACEPARENT }, logHandler: () => undefined });
    expect(await registered('graphWebhook', 'http').handler(request, context)).toEqual({ status: 202 });

    // planChanges runs the round for the poke, which carries the same trace (a hop of its own), as does the
    // follow-up poke the round sends itself.
    const pokes = await drain('planChanges', config.GRAPH_CHANGES_QUEUE);
    expect(pokes.length).toBeGreaterThan(0);
    for (const poke of pokes) expect(traceFromProperties(poke.applicationProperties)?.traceId, poke.subject).toBe(TRACE_ID);
    expect(pokes[0]!.applicationProperties[TRACEPARENT_PROPERTY]).not.toBe(WEBHOOK_TRACEPARENT);
    // Its log lines and the change set's messages carry the trace.
    const rounds = records.filter((r) => r.msg === 'delta round done');
    expect(rounds.length).toBeGreaterThan(0);
    expect(rounds.map((r) => r.traceId)).toEqual(rounds.map(() => TRACE_ID));
    const changeSets = await takeAll(config.WRITEBACK_QUEUE);
    expect(changeSets.length).toBeGreaterThan(0);
    for (const m of changeSets) expect(parseTraceparent(m.applicationProperties[TRACEPARENT_PROPERTY])?.traceId, m.messageId).toBe(TRACE_ID);

    // The relay answers each with a result that carries the trace back.
    const results = changeSets.map((received) => {
      const message = validateWriteback(received);
      if ('invalid' in message) throw new Error(message.invalid);
      const applied = { outcome: 'applied' as const, ad: { objectGUID: 'a1b2', objectSid: 'S-1-5-21-1-2-3-1104', dn: 'CN=Traced,OU=Writeback,DC=test' }, memberErrors: [], error: null, membersAdded: 0, membersRemoved: 0 };
      return resultOutgoing(buildResult(message, applied, { relayId: 'relay-test', durationMs: 3, at: new Date() }), received);
    });
    for (const r of results) expect(traceFromProperties(r.applicationProperties)?.traceId).toBe(TRACE_ID);
    await stack.runtime.queue.sender(config.WRITEBACK_RESULTS_QUEUE).send(results);

    // recordResults logs the same trace id for each result.
    await drain('recordResults', config.WRITEBACK_RESULTS_QUEUE);
    const recorded = records.filter((r) => r.msg === 'result recorded');
    expect(recorded).toHaveLength(results.length);
    expect(recorded.map((r) => r.traceId)).toEqual(results.map(() => TRACE_ID));
  });

  it('an untraced poke: planChanges starts a trace for its round and change sets; an untraced change set gets an untraced result', async () => {
    const { config } = stack.runtime;
    stack.sim.control.createGroup({ id: GROUP, displayName: 'Untraced', kind: 'security', writebackConfiguration: { isEnabled: true } });
    // A poke sent outside any invocation (no trace scope) carries no trace.
    await stack.runtime.sender(config.GRAPH_CHANGES_QUEUE).send([
      { messageId: 'poke-1', sessionId: stack.sim.tenantId, body: { v: 1, tenantId: stack.sim.tenantId, reason: 'notification', receivedAt: new Date().toISOString() } },
    ]);
    await drain('planChanges', config.GRAPH_CHANGES_QUEUE);
    const started = records.find((r) => r.msg === 'delta round done')?.traceId;
    expect(started).toMatch(/^[0-9a-f]{32}$/);
    const changeSets = await takeAll(config.WRITEBACK_QUEUE);
    // planChanges started a trace of its own for the round, and its change sets carry it.
    for (const m of changeSets) expect(traceFromProperties(m.applicationProperties)?.traceId).toBe(started);
    const unstamped = { ...changeSets[0]!, applicationProperties: {} };
    const message = validateWriteback(unstamped);
    if ('invalid' in message) throw new Error(message.invalid);
    const result = resultOutgoing(buildResult(message, { outcome: 'skipped', ad: null, memberErrors: [], error: null, membersAdded: 0, membersRemoved: 0 }, { relayId: 'r', durationMs: 0, at: new Date() }), unstamped);
    expect(result.applicationProperties).toBeUndefined();
  });
});
