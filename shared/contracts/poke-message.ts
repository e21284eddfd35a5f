// Messages on the `graph-changes` queue: a trigger for one delta round. Session id = tenant id, so
// planChanges runs one delta round at a time per tenant. The notification itself carries no truth.
import { z } from 'zod';

export const POKE_SCHEMA_VERSION = 1 as const;

/** Rounds one poke may run before it is given up (the retry schedule lives in shared/app/round/poke-retry.ts). */
export const MAX_POKE_ATTEMPT = 10_000;

export const pokeMessageSchema = z
  .object({
    v: z.literal(POKE_SCHEMA_VERSION),
    tenantId: z.string().min(1),
    /** notification: a change notification arrived; resync: full resync (lifecycle, token loss, admin);
     *  reconcile: full resync that also repairs AD drift; recheck: the planner's own scheduled look at groups
     *  it could not find (shared/domain/recheck.ts) and at groups whose AD group is being created
     *  (shared/domain/nested-creation.ts), a delta round; safetyNet: no round started for the tenant's
     *  safetyNetSeconds (a delta round, never retried: shared/app/round/safety-net.ts). */
    reason: z.enum(['notification', 'resync', 'reconcile', 'recheck', 'safetyNet']),
    groupIds: z.array(z.string()).max(1000).optional(),
    /** When the trigger arrived; a retry keeps it, so a round started later serves the retry too. */
    receivedAt: z.string(),
    /** Which round this delivery runs for the trigger: 1 = first; a retry after a failed round carries the
     *  next number. Absent (pokes from before retries existed, and every first poke) = 1. */
    attempt: z.number().int().min(1).max(MAX_POKE_ATTEMPT).default(1),
    /** Sent by planChanges itself: runs one round for every poke deferred to it (never deferred itself). */
    followUp: z.boolean().default(false),
  })
  .strict();
export type PokeMessage = z.infer<typeof pokeMessageSchema>;
/** What a sender writes: `attempt` may be left out. */
export type PokeMessageInput = z.input<typeof pokeMessageSchema>;
