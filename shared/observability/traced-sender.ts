// A queue sender that stamps the current trace (trace-scope.ts) on every message it sends, as a child hop in the
// `traceparent` and `Diagnostic-Id` application properties (trace-context.ts). A message that already carries a
// trace keeps it; outside a trace scope messages go out as they are.
import { BatchTooLargeError, splitForSend, type OutgoingMessage, type QueueSender } from '../ports/queue.js';
import { TRACEPARENT_PROPERTY, traceProperties, type TraceContext } from './trace-context.js';
import { currentTrace } from './trace-scope.js';

function stamped(message: OutgoingMessage, trace: TraceContext): OutgoingMessage {
  if (message.applicationProperties?.[TRACEPARENT_PROPERTY] !== undefined) return message;
  return { ...message, applicationProperties: { ...message.applicationProperties, ...traceProperties(trace) } };
}

export function tracedSender(inner: QueueSender): QueueSender {
  return {
    async send(messages) {
      const trace = currentTrace();
      if (trace === undefined) return inner.send(messages);
      const traced = messages.map((m) => stamped(m, trace));
      try {
        await inner.send(traced);
      } catch (error) {
        // Callers size their sends without these properties (about 300 bytes a message with the header counted
        // twice): a send they made fit exactly is split instead of failing. A refused batch sent nothing, and
        // the senders of several messages (change sets) split their sends anyway, so order is all that matters.
        if (!(error instanceof BatchTooLargeError)) throw error;
        for (const batch of splitForSend(traced)) await inner.send(batch);
      }
    },
    close: () => inner.close(),
  };
}
