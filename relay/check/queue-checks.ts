// `relay --check`, the Service Bus half, without taking work: the receive right on the writeback queue is
// proven by peeking its dead-letter sub-queue (the same Listen right; a peek locks nothing and needs no
// session), and the send right on the results queue by sending one heartbeat marked `check`, which
// recordResults records as "checked" (never as a result, never as a running relay).
import type { QueueClient } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import { heartbeatMessage } from '../consume/heartbeat.js';
import { describeQueueFailure } from '../consume/queue-trouble.js';
import { emptyStats } from '../consume/stats.js';
import { withTimeout, type CheckReport } from './report.js';

/** The SDK retries a refused or unreachable namespace for minutes; a check answers sooner. */
const QUEUE_CHECK_TIMEOUT_MS = 60_000;
const PEEK = 10;

function problem(error: unknown, queue: string, role: string): string {
  const failure = describeQueueFailure(error, queue, role);
  return failure.cause === failure.err ? failure.err : `${failure.cause} (${failure.err})`;
}

export async function checkQueues(
  config: RelayConfig,
  queue: QueueClient,
  facts: { version: string; dc: string | null; now: Date },
  report: CheckReport,
): Promise<void> {
  const { writeback, results } = config.queues;
  try {
    const dead = await withTimeout(queue.peekDeadLetters(writeback, PEEK), QUEUE_CHECK_TIMEOUT_MS, `peek ${writeback}`);
    const count = dead.length >= PEEK ? `${PEEK} or more` : String(dead.length);
    report.ok(`queue ${writeback} receive`, `peeked its dead-letter queue, taking nothing (${count} dead-lettered)`);
  } catch (error) {
    report.fail(`queue ${writeback} receive`, problem(error, writeback, 'Azure Service Bus Data Receiver'));
  }
  const sender = queue.sender(results);
  try {
    const message = heartbeatMessage({
      mode: 'check',
      relayId: config.relayId,
      version: facts.version,
      dc: facts.dc,
      directoryAvailable: facts.dc !== null,
      startedAt: facts.now,
      stats: emptyStats(),
      at: facts.now,
    });
    await withTimeout(sender.send([message]), QUEUE_CHECK_TIMEOUT_MS, `send to ${results}`);
    report.ok(`queue ${results} send`, 'sent a heartbeat marked "check" (recorded as this check, not as a result)');
  } catch (error) {
    report.fail(`queue ${results} send`, problem(error, results, 'Azure Service Bus Data Sender'));
  } finally {
    await withTimeout(sender.close(), 10_000, 'close').catch(() => undefined);
  }
}
