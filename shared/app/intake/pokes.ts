// Building and sending "pokes" (shared/contracts/poke-message.ts) on the graph-changes queue. A poke only
// triggers a delta round; it carries no truth. Its messageId is random on purpose: a deterministic id would
// let duplicate detection drop a poke for a change that arrived after the previous round had already run.
import { randomUUID } from 'node:crypto';
import { POKE_SCHEMA_VERSION, pokeMessageSchema, type PokeMessage, type PokeMessageInput } from '../../contracts/poke-message.js';
import type { OutgoingMessage, QueueSender } from '../../ports/queue.js';

export type PokeReason = PokeMessage['reason'];

/** The poke schema caps the hint list; past it the poke goes without hints (the delta round sees all). */
export const MAX_POKE_GROUP_IDS = 1000;

export function buildPoke(tenantId: string, reason: PokeReason, now: Date, groupIds?: readonly string[]): OutgoingMessage {
  const body: PokeMessageInput = {
    v: POKE_SCHEMA_VERSION,
    tenantId,
    reason,
    receivedAt: now.toISOString(),
    ...(groupIds && groupIds.length > 0 && groupIds.length <= MAX_POKE_GROUP_IDS ? { groupIds: [...groupIds] } : {}),
  };
  // Validate what we send, like the receiver will.
  pokeMessageSchema.parse(body);
  return { messageId: randomUUID(), sessionId: tenantId, body, subject: `poke:${reason}` };
}

export async function sendPoke(
  sender: QueueSender,
  tenantId: string,
  reason: PokeReason,
  now: Date,
  groupIds?: readonly string[],
): Promise<void> {
  await sender.send([buildPoke(tenantId, reason, now, groupIds)]);
}
