// Putting change sets on the writeback queue: session = cloud group id (FIFO per group), messageId =
// `${groupId}:${seq}` (duplicate detection drops replays). Sends are split so each one fits (all or nothing
// per send); order is kept, so a group's messages arrive in seq order.
import { writebackMessageId, writebackMessageSchema } from '../../contracts/writeback-message.js';
import type { WritebackMessage } from '../../domain/model.js';
import { sendsOf, type OutgoingMessage, type QueueSender } from '../../ports/queue.js';

function outgoingOf(m: WritebackMessage): OutgoingMessage {
  return {
    messageId: writebackMessageId(m.groupId, m.seq),
    sessionId: m.groupId,
    subject: `writeback:${m.kind}`,
    body: m,
  };
}

function* outgoing(messages: readonly WritebackMessage[]): Generator<OutgoingMessage> {
  for (const m of messages) yield outgoingOf(m);
}

export async function sendWriteback(sender: QueueSender, messages: readonly WritebackMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  // The relay validates with the same schema: a message it would refuse must not leave the planner. Every
  // message is checked before the first send, each parsed copy dropped at once; the sends are then cut
  // as they go, so a big group's snapshot parts are not all serialised at the same time.
  for (const m of messages) writebackMessageSchema.parse(m);
  for (const batch of sendsOf(outgoing(messages))) await sender.send(batch);
  return messages.length;
}
