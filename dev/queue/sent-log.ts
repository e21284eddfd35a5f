// Remembers what the app sent to its queues (local stack only: it grows with the run), so a scenario can resubmit an old change set the way an admin
// would from a dead-letter queue (`replay`): same body and session, a new messageId.
import type { OutgoingMessage, QueueClient, QueueSender } from '../../shared/ports/queue.js';

export class SentLog {
  private readonly sent = new Map<string, OutgoingMessage[]>();

  /** `client`, with every send remembered (after it succeeded). */
  wrap(client: QueueClient): QueueClient {
    const remember = (queue: string, m: OutgoingMessage): void => this.remember(queue, m);
    return {
      receiver: (q) => client.receiver(q),
      acceptNextSession: (q, wait) => client.acceptNextSession(q, wait),
      peekDeadLetters: (q, max) => client.peekDeadLetters(q, max),
      deadLetterReceiver: (q) => client.deadLetterReceiver(q),
      close: () => client.close(),
      sender(queue: string): QueueSender {
        const inner = client.sender(queue);
        return {
          async send(messages) {
            await inner.send(messages);
            for (const m of messages) remember(queue, m);
          },
          close: () => inner.close(),
        };
      },
    };
  }

  /** The messages sent to `queue` for one session, in the order they were sent. */
  bySession(queue: string, sessionId: string): OutgoingMessage[] {
    return (this.sent.get(queue) ?? []).filter((m) => m.sessionId?.toLowerCase() === sessionId.toLowerCase());
  }

  private remember(queue: string, message: OutgoingMessage): void {
    const list = this.sent.get(queue) ?? [];
    list.push(structuredClone(message));
    this.sent.set(queue, list);
  }
}
