// Messages on the `graph-changes` queue: a trigger for one delta round. Session id = tenant id, so
// planChanges runs one delta round at a time per tenant. The notification itself carries no truth.
import { z } from 'zod';

export const POKE_SCHEMA_VERSION = 1 as const;

export const pokeMessageSchema = z
  .object({
    v: z.literal(POKE_SCHEMA_VERSION),
    tenantId: z.string().min(1),
    /** notification: a change notification arrived; resync: full resync (lifecycle, token loss, admin);
     *  reconcile: full resync that also repairs AD drift; recheck: the planner's own scheduled look at groups
     *  it could not find (a delta round; shared/domain/recheck.ts). */
    reason: z.enum(['notification', 'resync', 'reconcile', 'recheck']),
    groupIds: z.array(z.string()).max(1000).optional(),
    receivedAt: z.string(),
  })
  .strict();
export type PokeMessage = z.infer<typeof pokeMessageSchema>;
