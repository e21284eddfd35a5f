// The safety net on the local host (Graph simulator, embedded queue, real Graph client): with no subscription
// at all, so no notification ever arrives, a change lands in planned state once the safety-net timer finds no
// round for safetyNetSeconds, and not before; while Graph fails it tries once per period, without retries or
// dead letters. The functions' clock is moved forward instead of waiting; the timer runs through the host.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';

const G = (n: number): string => `c1000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const SAFETY_NET_SECONDS = 60;
const DELTA = '^GET /v1\\.0/groups/delta';

interface LogRecord {
  msg: string;
  [key: string]: unknown;
}

let stack: FunctionsStack;
let records: LogRecord[];
let offsetMs: number;

function capturingLogger(): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

const logged = (msg: string): LogRecord[] => records.filter((r) => r.msg === msg);
const rounds = (): number => logged('delta round done').length;
const POKED = 'safety net: no round for safetyNetSeconds; delta poke sent';
const changesQueue = (): string => stack.runtime.config.GRAPH_CHANGES_QUEUE;

/** Moves the functions' clock (round marks, the safety net's decision) forward. */
function advance(seconds: number): void {
  offsetMs += seconds * 1000;
}

/** One safety-net tick, then until graph-changes holds nothing and every handler returned. */
async function tick(): Promise<void> {
  await stack.host.runTimer('safetyNet');
  expect(await stack.runtime.broker.whenIdle(changesQueue(), 20_000)).toBe(true);
  await stack.host.whenIdle();
}

async function plannedName(groupId: string): Promise<string | null | undefined> {
  const planned = await stack.runtime.planner.groups.loadMany(stack.sim.tenantId, [groupId]);
  return planned.get(groupId)?.cloud?.displayName;
}

function enabledGroup(n: number): void {
  stack.sim.control.createGroup({ id: G(n), displayName: `Group ${n}`, kind: 'security', writebackConfiguration: { isEnabled: true } });
}

beforeEach(async () => {
  records = [];
  offsetMs = 0;
  stack = await startFunctionsStack({ log: capturingLogger(), now: () => new Date(Date.now() + offsetMs), host: { timers: false, queuePollMs: 20 } });
  // Changing the safety net's bound re-plans nothing: no round runs for it.
  await stack.runtime.tenantSettings.save(stack.sim.tenantId, { safetyNetSeconds: SAFETY_NET_SECONDS });
  expect(await stack.runtime.broker.whenIdle(changesQueue(), 5_000)).toBe(true);
  expect(rounds()).toBe(0);
});

afterEach(async () => {
  await stack.close();
});

describe('safety net: a change whose notification is lost', () => {
  it('lands within safetyNetSeconds + a tick, driven by the timer alone', async () => {
    // Nothing subscribes (the subscriptions timer never runs): Graph delivers no notification at all.
    enabledGroup(1);
    await tick(); // no round yet: due at once; the tenant's first round
    expect(logged(POKED)).toHaveLength(1);
    expect(await plannedName(G(1))).toBe('Group 1');
    expect(stack.sim.control.listSubscriptions()).toEqual([]);

    enabledGroup(2);
    advance(SAFETY_NET_SECONDS - 15);
    await tick(); // a round started less than safetyNetSeconds ago: nothing can be older than it
    expect(logged(POKED)).toHaveLength(1);
    expect(await plannedName(G(2))).toBeUndefined();

    advance(15 + 1); // the next tick after safetyNetSeconds
    await tick();
    expect(logged(POKED)).toHaveLength(2);
    expect(await plannedName(G(2))).toBe('Group 2');
    expect(rounds()).toBe(2);
    // What operations look for: a safety-net round that sent something found a change without its notification.
    expect(logged('delta round done').at(-1)).toMatchObject({ poke: 'safetyNet', mode: 'delta', messagesSent: 1 });
    expect(await stack.runtime.queue.peekDeadLetters(changesQueue(), 10)).toEqual([]);
  });

  it('while Graph fails: one round per safetyNetSeconds, no retries, no dead letters; then the change lands', async () => {
    enabledGroup(1);
    await tick();
    const outage = stack.sim.control.addFailure({ match: DELTA, kind: 'error', status: 500 });
    enabledGroup(2);

    advance(SAFETY_NET_SECONDS + 1);
    await tick();
    const failed = logged('safety-net round failed; the safety net tries again after safetyNetSeconds');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!['cause'])).toContain('HTTP 500');
    // No round succeeded, but the safety net poked within the period: the next ticks send nothing.
    for (let i = 0; i < 3; i++) {
      advance(15);
      await tick();
    }
    expect(logged(POKED)).toHaveLength(2);
    expect(stack.sim.control.listFailures()[0]!.fired).toBe(1);
    expect(logged('delta round failed; retry scheduled')).toEqual([]);

    stack.sim.control.removeFailure(outage);
    advance(SAFETY_NET_SECONDS - 45 + 1);
    await tick();
    await vi.waitFor(async () => expect(await plannedName(G(2))).toBe('Group 2'));
    expect(logged(POKED)).toHaveLength(3);
    expect(await stack.runtime.queue.peekDeadLetters(changesQueue(), 10)).toEqual([]);
  });
});
