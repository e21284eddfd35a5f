// The accept loop meeting a Service Bus that keeps refusing (role missing, namespace away): each worker backs
// off exponentially up to retryMaxDelayMs, and the cause is logged once when it appears or changes and once
// when accepting works again, however many workers and attempts there are.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DirectoryGate } from '../../relay/consume/directory-gate.js';
import { describeQueueFailure } from '../../relay/consume/queue-trouble.js';
import { emptyStats } from '../../relay/consume/stats.js';
import { WorkerPool } from '../../relay/consume/worker-pool.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { QueueNotFoundError, type QueueClient } from '../../shared/ports/queue.js';

function capture(): { log: Logger; records: { level: number; msg: string; cause?: string; delayMs?: number }[] } {
  const records: { level: number; msg: string; cause?: string; delayMs?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), records };
}

/** As the SDK throws them: a name, a code, and a message that differs every time. */
function serviceBusError(code: string, message: string): Error {
  return Object.assign(new Error(`${message} TrackingId:${crypto.randomUUID()}, TimeStamp:${new Date().toISOString()}`), { name: 'ServiceBusError', code });
}

/** Fails with `failures` in order (one per accept), then finds no session. Records when each accept came. */
function refusingQueue(failures: Error[]): { queue: QueueClient; calls: number[] } {
  const calls: number[] = [];
  let next = 0;
  const queue = {
    acceptNextSession: async () => {
      calls.push(performance.now());
      const failure = failures[next++];
      if (failure) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return null;
    },
  } as unknown as QueueClient;
  return { queue, calls };
}

function pool(queue: QueueClient, log: Logger, concurrency: number): WorkerPool {
  const backoff = { initialMs: 20, maxMs: 160 };
  return new WorkerPool({
    queue,
    config: { queues: { writeback: 'writeback', results: 'writeback-results' }, sessions: { concurrency, receiveWaitMs: 10, retryDelayMs: backoff.initialMs, retryMaxDelayMs: backoff.maxMs } },
    stats: emptyStats(),
    gate: new DirectoryGate({ probe: () => Promise.resolve(), backoff, log: silentLogger() }),
    log,
    process: () => Promise.resolve(),
  });
}

const unauthorized = (): Error => serviceBusError('UnauthorizedAccess', "Unauthorized access. 'Listen' claim(s) are required to perform this operation.");
const unreachable = (): Error => serviceBusError('ServiceCommunicationProblem', 'connect ETIMEDOUT 10.1.2.3:5671');

describe('accepting sessions while Service Bus refuses', () => {
  it('backs off exponentially up to the cap', async () => {
    const { queue, calls } = refusingQueue(Array.from({ length: 7 }, unauthorized));
    const { log, records } = capture();
    const workers = pool(queue, log, 1);
    workers.start();
    await workers.idle();
    await workers.stop();
    // Ceilings 20, 40, 80, 160, 160, 160, 160 ms; each wait is between half and all of its ceiling.
    const delays = records.filter((r) => r.delayMs !== undefined).map((r) => r.delayMs!);
    const ceilings = [20, 40, 80, 160, 160, 160, 160];
    expect(delays).toHaveLength(ceilings.length);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i]!);
    });
    // And the accept loop really waited that long between attempts.
    const gaps = calls.slice(1, 8).map((t, i) => t - calls[i]!);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delays[i]! - 2));
  });

  it('says what is wrong once per change of cause, and once when it works again', async () => {
    const failures = [...Array.from({ length: 9 }, unauthorized), ...Array.from({ length: 6 }, unreachable)];
    const { queue } = refusingQueue(failures);
    const { log, records } = capture();
    const workers = pool(queue, log, 3);
    workers.start();
    await workers.idle();
    await workers.stop();
    const warnings = records.filter((r) => r.level === 40);
    expect(warnings.map((w) => w.cause)).toEqual([
      "Service Bus refused the relay's identity: it needs the role 'Azure Service Bus Data Receiver' on queue writeback (a new role assignment can take minutes to apply)",
      'Service Bus cannot be reached: outbound 5671 (transport amqp) or 443 (transport websockets) and the proxy, if any',
    ]);
    expect(records.filter((r) => r.msg === 'Service Bus answers again: taking sessions')).toHaveLength(1);
    expect(records.filter((r) => r.level === 20)).toHaveLength(failures.length - 2);
  });
});

describe('describeQueueFailure', () => {
  it('names the cause an operator can act on', () => {
    expect(describeQueueFailure(new QueueNotFoundError('writeback'), 'writeback').key).toBe('queue-not-found');
    expect(describeQueueFailure(serviceBusError('ServiceCommunicationProblem', 'getaddrinfo ENOTFOUND sb-x.servicebus.windows.net'), 'writeback').cause).toBe(
      'the namespace does not resolve: check queue.namespace and DNS',
    );
    expect(describeQueueFailure(Object.assign(new Error('AADSTS700027: certificate not registered'), { name: 'AuthenticationError' }), 'writeback').key).toBe('sign-in');
    const other = (n: number): string => describeQueueFailure(serviceBusError('GeneralError', `odd failure ${n}`), 'writeback').key;
    expect(other(1)).toBe(other(2));
  });
});
