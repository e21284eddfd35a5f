// Putting change sets on the writeback queue: session = cloud group id (FIFO per group), messageId =
// `${groupId}:${seq}` (duplicate detection drops replays). Sends are split so each one fits (all or nothing
// per send); order is kept, so a group's messages arrive in seq order.
import { writebackMessageId, writebackMessageSchema } from '../../contracts/writeback-message.js';
import type { WritebackMessage } from '../../domain/model.js';
import { splitForSend, type OutgoingMessage, type QueueSender } from '../../ports/queue.js';

export function toOutgoing(m: WritebackMessage): OutgoingMessage {
  // The relay validates with the same schema; a message it would refuse must not leave the planner.
  writebackMessageSchema.parse(m);
  return {
    messageId: writebackMessageId(m.groupId, m.seq),
    sessionId: m.groupId,
    subject: `writeback:${m.kind}`,
    body: m,
  };
}

export async function sendWriteback(sender: QueueSender, messages: readonly WritebackMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  for (const batch of splitForSend(messages.map(toOutgoing))) await sender.send(batch);
  return messages.length;
}
