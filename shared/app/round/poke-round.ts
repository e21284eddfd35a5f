// planChanges' logic: a poke from the graph-changes queue -> one delta round. The poke only says "look now"
// and how (notification: delta; resync: full round; reconcile: full round with drift repair).
import { pokeMessageSchema, type PokeMessage } from '../../contracts/poke-message.js';
import { sameId } from '../../domain/ids.js';
import type { PlanMode } from '../../domain/planner.js';
import type { DeltaRoundDeps } from './round-deps.js';
import { runDeltaRound, type RoundReport } from './run-round.js';
import { decodeQueueBody, describeIssues, PoisonMessageError } from '../../contracts/poison.js';

export function modeOf(reason: PokeMessage['reason']): PlanMode {
  switch (reason) {
    case 'notification':
    case 'recheck':
      return 'delta';
    case 'resync':
      return 'full';
    case 'reconcile':
      return 'reconcile';
  }
}

/** Validates the poke (PoisonMessageError when it can never be processed) and runs the round. */
export async function handlePoke(deps: DeltaRoundDeps, raw: unknown): Promise<RoundReport> {
  const parsed = pokeMessageSchema.safeParse(decodeQueueBody(raw));
  if (!parsed.success) throw new PoisonMessageError('InvalidPoke', describeIssues(parsed.error.issues));
  const poke = parsed.data;
  if (!sameId(poke.tenantId, deps.tenantId)) {
    throw new PoisonMessageError('UnknownTenant', 'the poke names a tenant this app does not serve');
  }
  return runDeltaRound(deps, { mode: modeOf(poke.reason), ...(poke.groupIds ? { groupIds: poke.groupIds } : {}) });
}
