// recordResults' logic: one relay result -> the group's status (shared/app/status/group-status.ts). Results older
// than the recorded one are ignored there; an invalid message is poison. A result saying the change set did not
// land asks the planner for the group's full state (repair-requests.ts), once per failure. The relay's
// heartbeats travel on the same queue and are told apart by their body (heartbeat-recorder.ts), and so do
// its progress reports on big change sets (shown on the status until the results come).
import { isHeartbeatBody } from '../../contracts/heartbeat-message.js';
import { isProgressBody, progressMessageSchema, resultMessageSchema, type ResultMessage } from '../../contracts/result-message.js';
import { applyStatusUpdate } from './group-status.js';
import { recordHeartbeat, type HeartbeatRecorderDeps } from './heartbeat-recorder.js';
import { requestRepairOnce, type RepairRequestDeps } from './repair-requests.js';
import { decodeQueueBody, describeIssues, PoisonMessageError } from '../../contracts/poison.js';

export type ResultsRecorderDeps = RepairRequestDeps & Pick<HeartbeatRecorderDeps, 'relays'>;

export function parseResultMessage(raw: unknown): ResultMessage {
  const parsed = resultMessageSchema.safeParse(decodeQueueBody(raw));
  if (!parsed.success) throw new PoisonMessageError('InvalidResultMessage', describeIssues(parsed.error.issues));
  return parsed.data;
}

export async function recordResult(deps: ResultsRecorderDeps, raw: unknown): Promise<'recorded' | 'stale' | 'heartbeat' | 'progress'> {
  const body = decodeQueueBody(raw);
  if (isHeartbeatBody(body)) {
    await recordHeartbeat(deps, body);
    return 'heartbeat';
  }
  if (isProgressBody(body)) {
    const parsed = progressMessageSchema.safeParse(body);
    if (!parsed.success) throw new PoisonMessageError('InvalidProgressMessage', describeIssues(parsed.error.issues));
    await applyStatusUpdate(deps.statuses, { kind: 'progress', message: parsed.data, at: deps.now().toISOString() });
    return 'progress';
  }
  const result = parseResultMessage(body);
  const log = deps.log.child({ groupId: result.groupId, seq: result.seq });
  const { status, changed } = await applyStatusUpdate(deps.statuses, { kind: 'result', result, at: deps.now().toISOString() });
  // Also after an ignored (redelivered) result: a crash after recording it may have kept the request from going out.
  await requestRepairOnce({ ...deps, log }, status);
  if (!changed) {
    log.info({ lastResultSeq: status.lastResultSeq }, 'result older than the recorded one (or a refused stale change set); ignored');
    return 'stale';
  }
  log.info({ outcome: result.outcome, state: status.state, memberErrors: result.memberErrors.length }, 'result recorded');
  return 'recorded';
}
