// recordResults' logic: one relay result -> the group's status (shared/app/status/group-status.ts). Results older
// than the recorded one are ignored there; an invalid message is poison.
import { resultMessageSchema, type ResultMessage } from '../../contracts/result-message.js';
import type { Logger } from '../../logging.js';
import { applyStatusUpdate } from './group-status.js';
import { type GroupStatusStore } from '../../state/group-status-record.js';
import { decodeQueueBody, describeIssues, PoisonMessageError } from '../../contracts/poison.js';

export interface ResultsRecorderDeps {
  statuses: GroupStatusStore;
  log: Logger;
  now: () => Date;
}

export function parseResultMessage(raw: unknown): ResultMessage {
  const parsed = resultMessageSchema.safeParse(decodeQueueBody(raw));
  if (!parsed.success) throw new PoisonMessageError('InvalidResultMessage', describeIssues(parsed.error.issues));
  return parsed.data;
}

export async function recordResult(deps: ResultsRecorderDeps, raw: unknown): Promise<'recorded' | 'stale'> {
  const result = parseResultMessage(raw);
  const log = deps.log.child({ groupId: result.groupId, seq: result.seq });
  const { status, changed } = await applyStatusUpdate(deps.statuses, { kind: 'result', result, at: deps.now().toISOString() });
  if (!changed) {
    log.info({ lastResultSeq: status.lastResultSeq }, 'result older than the recorded one; ignored');
    return 'stale';
  }
  log.info({ outcome: result.outcome, state: status.state, memberErrors: result.memberErrors.length }, 'result recorded');
  return 'recorded';
}
