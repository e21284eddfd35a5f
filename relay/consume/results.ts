// One result message per writeback message, to writeback-results (validated with the shared schema, as
// the receiving side does). messageId `result:<groupId>:<seq>`: a redelivered message that is applied
// again produces the same id, and duplicate detection drops the second result. A result carries the trace of
// its writeback message back (shared/observability/trace-context.ts), so recordResults logs the same traceId.
import {
  RESULT_SCHEMA_VERSION,
  resultMessageSchema,
  type ResultMessage,
} from '../../shared/contracts/result-message.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { traceFromProperties, traceProperties } from '../../shared/observability/trace-context.js';
import type { OutgoingMessage, ReceivedMessage } from '../../shared/ports/queue.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { boundedErrors } from '../apply/member-errors.js';

export function resultMessageId(groupId: string, seq: number): string {
  return `result:${groupId}:${seq}`;
}

export function buildResult(
  message: WritebackMessage,
  applied: ApplyResult,
  meta: { relayId: string; relayVersion?: string; durationMs: number; at: Date },
): ResultMessage {
  return resultMessageSchema.parse({
    v: RESULT_SCHEMA_VERSION,
    tenantId: message.tenantId,
    groupId: message.groupId,
    seq: message.seq,
    messageId: resultMessageId(message.groupId, message.seq),
    kind: message.kind,
    outcome: applied.outcome,
    ad: applied.ad,
    memberErrors: boundedErrors(applied.memberErrors),
    error: applied.error ? { code: applied.error.code, message: applied.error.message.slice(0, 2000) } : null,
    membersAdded: applied.membersAdded,
    membersRemoved: applied.membersRemoved,
    durationMs: Math.max(0, meta.durationMs),
    relayId: meta.relayId,
    ...(meta.relayVersion !== undefined ? { relayVersion: meta.relayVersion } : {}),
    at: meta.at.toISOString(),
  });
}

/** The result as it is sent: with the trace of the writeback message it answers, when that had one. */
export function resultOutgoing(result: ResultMessage, answered: ReceivedMessage): OutgoingMessage {
  const trace = traceFromProperties(answered.applicationProperties);
  return { messageId: result.messageId, body: result, ...(trace === null ? {} : { applicationProperties: traceProperties(trace) }) };
}

/** The result of a message that could not be applied at all. */
export function failedResult(error: { code: string; message: string }): ApplyResult {
  return { outcome: 'failed', ad: null, memberErrors: [], error, membersAdded: 0, membersRemoved: 0 };
}
