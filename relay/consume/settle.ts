// Settling writeback messages on their session: complete, or dead-letter with a reason. Nothing is ever
// abandoned (that counts a delivery): what is not settled goes back when the session closes. A lost lock is
// not an error here: the message comes again, so the session ends.
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import type { Logger } from '../../shared/logging.js';
import { MessageLockLostError, type DeadLetterInfo, type ReceivedMessage, type SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayStats } from './stats.js';

/** A received message with its validated body. */
export interface ReceivedWriteback {
  received: ReceivedMessage;
  message: WritebackMessage;
}

/** Go on with the session's next message, or end the session (what is left in it comes again). */
export type Step = 'continue' | 'stop';

/** Complete (deadLetter null) or dead-letter. A lost lock ends the session: the message comes again. */
export async function settle(
  session: SessionReceiver,
  received: ReceivedMessage,
  deadLetter: DeadLetterInfo | null,
  stats: RelayStats,
  log: Logger,
): Promise<Step> {
  try {
    if (deadLetter) {
      await session.deadLetter(received, deadLetter);
      stats.deadLettered += 1;
    } else {
      await session.complete(received);
    }
    return 'continue';
  } catch (error) {
    if (!(error instanceof MessageLockLostError)) throw error;
    log.warn({ messageId: received.messageId }, 'lock lost before settling; the message will come again');
    return 'stop';
  }
}
