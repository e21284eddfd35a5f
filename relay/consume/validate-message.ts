// A received writeback message is worked on only if it matches the shared schema and came in the
// session of its own group (sessionId = groupId); anything else is dead-lettered as InvalidMessage.
import { writebackMessageSchema, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import type { ReceivedMessage } from '../../shared/ports/queue.js';

/** The validated message, or why it is invalid. */
export function validateWriteback(received: ReceivedMessage): WritebackMessage | { invalid: string } {
  const parsed = writebackMessageSchema.safeParse(received.body);
  if (!parsed.success) {
    return { invalid: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  if (received.sessionId !== undefined && received.sessionId !== parsed.data.groupId) {
    return { invalid: `sessionId ${received.sessionId} is not the message's groupId ${parsed.data.groupId}` };
  }
  return parsed.data;
}
