// planChanges as the local host runs it (queue trigger semantics on the embedded queue, Graph simulator, real
// Graph client): a round that fails while Graph answers 500 is retried by scheduled copies of the poke with
// growing delays, never dead-lettered, and the change lands once Graph recovers; pokes queued before a round
// started are served by it (a burst of notifications runs a few rounds, not one per notification), while a
// poke received after a round started still gets its own round, which does not read again a group read after
// the poke was received.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { QueuePump, type Settlement } from '../../dev/host/queue-pump.js';
import { planChangesFunction } from '../../functions/planChanges.js';
import { sendPoke } from '../../shared/app/intake/pokes.js';
import type { PokeRoundSettings } from '../../shared/app/round/poke-round.js';
import { silentLogger } from '../../shared/logging.js';

const G = (n: number): string => `b1000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const SETTINGS: PokeRoundSettings = { retry: { firstDelayMs: 50, maxDelayMs: 400, maxAttempts: 100 }, clockSkewMs: 0 };
const DELTA = '^GET /v1\\.0/groups/delta';

interface LogRecord {
  msg: string;
  [key: string]: unknown;
}

let stack: FunctionsStack;
let records: LogRecord[];
let pump: QueuePump | undefined;
let settlements: Settlement[];

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
const SERVED = 'poke coalesced: a round that started after it arrived served it';
const DEFERRED = 'poke coalesced into the queued follow-up round';
/** Pokes sent by the test (not planChanges' follow-ups) that ran no round of their own. */
const coalesced = (): number => [...logged(SERVED), ...logged(DEFERRED)].filter((r) => r['followUp'] === false).length;
const changesQueue = (): string => stack.runtime.config.GRAPH_CHANGES_QUEUE;

/** planChanges on graph-changes, started when the test wants (the host's own pumps are off). */
function startPump(): void {
  pump = new QueuePump({ def: planChangesFunction, queueName: changesQueue(), queue: stack.runtime.queue, pollMs: 20, log: silentLogger(), track: (work) => work() });
  pump.onSettled = (_message, settlement) => void settlements.push(settlement);
  pump.start();
}

async function stopPump(): Promise<void> {
  await pump?.stop();
  pump = undefined;
}

async function poke(groupIds?: string[]): Promise<void> {
  await sendPoke(stack.runtime.sender(changesQueue()), stack.sim.tenantId, 'notification', stack.runtime.now(), groupIds);
}

/** Waits until graph-changes holds nothing (deliverable, locked or scheduled). */
async function settled(timeoutMs = 20_000): Promise<void> {
  expect(await stack.runtime.broker.whenIdle(changesQueue(), timeoutMs)).toBe(true);
}

async function plannedName(groupId: string): Promise<string | null | undefined> {
  const planned = await stack.runtime.planner.groups.loadMany(stack.sim.tenantId, [groupId]);
  return planned.get(groupId)?.cloud?.displayName;
}

function enabledGroup(n: number): void {
  stack.sim.control.createGroup({ id: G(n), displayName: `Group ${n}`, kind: 'security', writebackConfiguration: { isEnabled: true } });
}

/** The tenant's first round (no token yet: a full round), so the next ones are delta rounds. */
async function firstRound(groups: number): Promise<void> {
  for (let n = 1; n <= groups; n++) enabledGroup(n);
  startPump();
  await poke();
  await settled();
  await stopPump();
  expect(rounds()).toBe(1);
  records.length = 0;
  settlements = [];
}

beforeEach(async () => {
  records = [];
  settlements = [];
  stack = await startFunctionsStack({ log: capturingLogger(), pokeRounds: SETTINGS, host: { queues: false, timers: false } });
});

afterEach(async () => {
  await stopPump();
  await stack.close();
});

describe('planChanges: a failed round is retried later, not dead-lettered', () => {
  it('Graph answering 500 for a while: scheduled retries with growing delays, then the change lands', async () => {
    await firstRound(1);
    const outage = stack.sim.control.addFailure({ match: DELTA, kind: 'error', status: 500 });
    enabledGroup(2);
    startPump();
    const started = Date.now();
    await poke([G(2)]);
    await vi.waitFor(() => expect(stack.sim.control.listFailures()[0]?.fired ?? 0).toBeGreaterThanOrEqual(1));
    // Notifications during the outage wait for the one retrying round instead of starting retries of their own.
    for (let i = 0; i < 5; i++) await poke([G(2)]);
    await new Promise((r) => setTimeout(r, 1_500));
    stack.sim.control.removeFailure(outage);
    await vi.waitFor(async () => expect(await plannedName(G(2))).toBe('Group 2'), { timeout: 10_000 });
    await settled();

    const retries = logged('delta round failed; retry scheduled');
    expect(retries.length).toBeGreaterThanOrEqual(4);
    expect(retries.map((r) => r['nextAttempt'])).toEqual(retries.map((_, i) => i + 2));
    expect(retries.every((r) => String(r['cause']).includes('HTTP 500'))).toBe(true);
    const delays = retries.map((r) => Number(r['delayMs']));
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(SETTINGS.retry.maxDelayMs);
    // The retries waited for Graph: they spread over the outage instead of burning deliveries at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(retries.length).toBeLessThan(12);

    expect(settlements.every((s) => s === 'completed')).toBe(true);
    expect(await stack.runtime.queue.peekDeadLetters(changesQueue(), 10)).toEqual([]);
    expect(rounds()).toBe(1);
    expect(coalesced()).toBe(6);
  });
});

describe('planChanges: one round serves every poke queued before it started', () => {
  it('a burst of 200 notification pokes queued before a round runs takes a handful of rounds', async () => {
    await firstRound(20);
    // Renames are in the next delta; a change of writebackConfiguration alone is not (only the pokes name those groups).
    for (let n = 1; n <= 10; n++) stack.sim.control.updateGroup(G(n), { properties: { displayName: `Renamed ${n}` } });
    for (let n = 11; n <= 20; n++) stack.sim.control.updateGroup(G(n), { writebackConfiguration: { isEnabled: false } });
    for (let i = 0; i < 200; i++) await poke([G((i % 20) + 1)]);
    const deltaCalls = stack.sim.control.addFailure({ match: DELTA, kind: 'delay', delayMs: 0 });

    startPump();
    await settled();

    expect(rounds()).toBeLessThanOrEqual(3);
    expect(stack.sim.control.listFailures().find((f) => f.id === deltaCalls)!.matched).toBeLessThanOrEqual(3);
    expect(coalesced()).toBe(200);
    expect(settlements).toHaveLength(200 + logged(DEFERRED).filter((r) => r['followUpSent'] === true).length);
    for (let n = 1; n <= 10; n++) expect(await plannedName(G(n))).toBe(`Renamed ${n}`);
    const disabled = await stack.runtime.planner.groups.loadMany(stack.sim.tenantId, Array.from({ length: 10 }, (_, i) => G(i + 11)));
    expect([...disabled.values()].map((g) => g.written)).toEqual(Array.from({ length: 10 }, () => false));
  });

  it('a poke received after a round started gets its own round', async () => {
    await firstRound(1);
    stack.sim.control.updateGroup(G(1), { properties: { displayName: 'Renamed 1' } });
    // Hold the round after its delta call, while it reads the groups.
    const hold = stack.sim.control.addFailure({ match: '^POST /beta/\\$batch', kind: 'delay', delayMs: 400, times: 1, inBatch: false });
    startPump();
    await poke([G(1)]);
    await vi.waitFor(() => expect(stack.sim.control.listFailures().find((f) => f.id === hold)!.fired).toBe(1));
    // A group created now is not in the running round's delta: only its own poke's round can write it.
    enabledGroup(2);
    await poke([G(2)]);
    await settled();

    expect(rounds()).toBe(2);
    expect(logged(SERVED)).toEqual([]);
    expect(await plannedName(G(1))).toBe('Renamed 1');
    expect(await plannedName(G(2))).toBe('Group 2');
  });

  it('the follow-up round runs its delta but does not read again a group read after its poke was received', async () => {
    await firstRound(2);
    stack.sim.control.updateGroup(G(2), { properties: { displayName: 'Renamed 2' } });
    // Hold the round at its delta call: the renamed group is listed, then read by id once the delta is done.
    const hold = stack.sim.control.addFailure({ match: DELTA, kind: 'delay', delayMs: 400, times: 1 });
    const reads = stack.sim.control.addFailure({ match: `^GET /beta/groups/${G(2)}$`, kind: 'delay', delayMs: 0 });
    startPump();
    await poke([G(1)]);
    await vi.waitFor(() => expect(stack.sim.control.listFailures().find((f) => f.id === hold)!.fired).toBe(1));
    // Received after the round started, before it reads the group: not served by the round, deferred.
    stack.sim.control.updateGroup(G(2), { writebackConfiguration: { isEnabled: false } });
    await poke([G(2)]);
    await settled();

    expect(rounds()).toBe(2);
    // Each poke waited for a follow-up round: the first round read G(1), the second read no group by id.
    expect(logged(DEFERRED)).toHaveLength(2);
    const waitingRounds = logged('round for waiting pokes: groups read after their pokes are not read again');
    expect(waitingRounds).toMatchObject([{ waitingGroups: 1, groupsToRead: 1 }, { waitingGroups: 1, groupsToRead: 0 }]);
    const failures = stack.sim.control.listFailures();
    expect(failures.find((f) => f.id === hold)!.matched).toBe(2);
    expect(failures.find((f) => f.id === reads)!.matched).toBe(1);
    const planned = await stack.runtime.planner.groups.loadMany(stack.sim.tenantId, [G(2)]);
    expect(planned.get(G(2))).toMatchObject({ written: false, cloud: { displayName: 'Renamed 2' } });
  });
});
