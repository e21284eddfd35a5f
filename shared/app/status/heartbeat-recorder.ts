// recordResults' other message: a relay's heartbeat (shared/contracts/heartbeat-message.ts) -> its row in the
// relays table (shared/state/relays.ts). A body that says it is a heartbeat but does not parse is poison.
import { heartbeatMessageSchema, type HeartbeatMessage } from '../../contracts/heartbeat-message.js';
import { describeIssues, PoisonMessageError } from '../../contracts/poison.js';
import type { Logger } from '../../logging.js';
import type { RelayRepository } from '../../state/relays.js';

export interface HeartbeatRecorderDeps {
  relays: RelayRepository;
  log: Logger;
  now: () => Date;
}

export function parseHeartbeatMessage(body: unknown): HeartbeatMessage {
  const parsed = heartbeatMessageSchema.safeParse(body);
  if (!parsed.success) throw new PoisonMessageError('InvalidHeartbeatMessage', describeIssues(parsed.error.issues));
  return parsed.data;
}

export async function recordHeartbeat(deps: HeartbeatRecorderDeps, body: unknown): Promise<void> {
  const heartbeat = parseHeartbeatMessage(body);
  const recorded = await deps.relays.record(heartbeat, deps.now().toISOString());
  const fields = { relayId: heartbeat.relayId, mode: heartbeat.mode, version: heartbeat.version, recorded };
  // One running heartbeat a minute per relay: debug, not info; a check is rare and worth seeing.
  if (heartbeat.mode === 'check') deps.log.info(fields, 'relay checked');
  else deps.log.debug(fields, 'relay heartbeat');
}
