// An admin's view of the app's dead-letter queues (graph-changes, writeback, writeback-results): list what is
// there with the reason, and resubmit one: a copy goes to its queue under a new messageId (the old one may still
// be in duplicate detection's window), then the dead letter is removed. Sending first: a crash in between leaves
// the dead letter, and resubmitting it again is safe (the relay skips a stale change set, a result or a poke that
// comes twice changes nothing). docs/operations.md, "Dead-letter queues".
import { randomUUID } from 'node:crypto';
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { DeadLetteredMessage, OutgoingMessage, QueueClient, QueueSender } from '../../ports/queue.js';

export const APP_QUEUES = ['graph-changes', 'writeback', 'writeback-results'] as const;
export type AppQueue = (typeof APP_QUEUES)[number];

export interface DeadLetterDeps {
  queue: QueueClient;
  /** The queue's configured name (GRAPH_CHANGES_QUEUE, WRITEBACK_QUEUE, WRITEBACK_RESULTS_QUEUE). */
  queueName(queue: AppQueue): string;
  /** The app's sender for a queue name (kept open by the runtime). */
  sender(name: string): QueueSender;
}

export interface DeadLetterView {
  queue: AppQueue;
  sequenceNumber: string;
  messageId: string;
  /** The group a change set or result is about; null for pokes. */
  groupId: string | null;
  reason: string;
  description: string;
  enqueuedAt: string;
  deliveryCount: number;
}

/** How many dead letters a resubmit looks through for the one asked for (they stay locked meanwhile). */
export const RESUBMIT_SCAN_LIMIT = 1000;
const BATCH = 50;
const WAIT_MS = 1000;

function groupIdOf(body: unknown): string | null {
  const id = typeof body === 'object' && body !== null && 'groupId' in body ? body.groupId : null;
  return typeof id === 'string' && isGuid(id) ? normaliseId(id) : null;
}

function view(queue: AppQueue, m: DeadLetteredMessage): DeadLetterView {
  return {
    queue,
    sequenceNumber: m.sequenceNumber.toString(),
    messageId: m.messageId,
    groupId: groupIdOf(m.body),
    reason: m.deadLetterReason,
    description: m.deadLetterDescription,
    enqueuedAt: m.enqueuedTimeUtc.toISOString(),
    deliveryCount: m.deliveryCount,
  };
}

/** The first `top` dead letters of each queue, oldest first. */
export async function listDeadLetters(deps: DeadLetterDeps, queues: readonly AppQueue[], top: number): Promise<DeadLetterView[]> {
  const lists = await Promise.all(queues.map(async (q) => (await deps.queue.peekDeadLetters(deps.queueName(q), top)).map((m) => view(q, m))));
  return lists.flat();
}

/** The copy of a dead letter that goes back to its queue: same body, session, subject and properties. */
export function resubmission(m: DeadLetteredMessage): OutgoingMessage {
  // One suffix at most: resubmitting a resubmitted message replaces it.
  const base = m.messageId.replace(/:resubmit-[0-9a-f]{8}$/, '');
  const out: OutgoingMessage = { messageId: `${base}:resubmit-${randomUUID().slice(0, 8)}`, body: m.body, applicationProperties: { ...m.applicationProperties } };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  if (m.subject !== undefined) out.subject = m.subject;
  return out;
}

/** Sends the dead letter `sequenceNumber` of `queue` again and removes it; null when it is not among the first
 *  RESUBMIT_SCAN_LIMIT dead letters. The others looked at are handed back untouched (one more delivery counted). */
export async function resubmitDeadLetter(deps: DeadLetterDeps, queue: AppQueue, sequenceNumber: bigint): Promise<DeadLetterView | null> {
  const name = deps.queueName(queue);
  const receiver = deps.queue.deadLetterReceiver(name);
  const passed: DeadLetteredMessage[] = [];
  try {
    for (let seen = 0; seen < RESUBMIT_SCAN_LIMIT; ) {
      const batch = await receiver.receive(Math.min(BATCH, RESUBMIT_SCAN_LIMIT - seen), WAIT_MS);
      if (batch.length === 0) return null;
      seen += batch.length;
      const found = batch.find((m) => m.sequenceNumber === sequenceNumber);
      passed.push(...batch.filter((m) => m !== found));
      if (found === undefined) continue;
      await deps.sender(name).send([resubmission(found)]);
      await receiver.complete(found);
      return view(queue, found);
    }
    return null;
  } finally {
    for (const m of passed) await receiver.abandon(m).catch(() => undefined); // an expired lock hands it back too
    await receiver.close();
  }
}
