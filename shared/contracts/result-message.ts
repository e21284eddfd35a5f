// Messages on the `writeback-results` queue (relay -> recordResults): one per writeback message.
import { z } from 'zod';

export const RESULT_SCHEMA_VERSION = 1 as const;

export const memberErrorSchema = z
  .object({ member: z.string(), code: z.string(), message: z.string().max(2000) })
  .strict();
export type MemberError = z.infer<typeof memberErrorSchema>;

/** Mass deletions are held by the planner before they are sent (docs/planner.md): no result says `held`. */
export const resultOutcomeSchema = z.enum(['applied', 'partial', 'failed', 'skipped']);
export type ResultOutcome = z.infer<typeof resultOutcomeSchema>;

export const resultMessageSchema = z
  .object({
    v: z.literal(RESULT_SCHEMA_VERSION),
    tenantId: z.string(),
    groupId: z.string(),
    seq: z.number().int().nonnegative(),
    messageId: z.string(),
    kind: z.enum(['upsert', 'delete', 'snapshot']),
    outcome: resultOutcomeSchema,
    ad: z.object({ objectGUID: z.string(), objectSid: z.string(), dn: z.string() }).strict().nullable(),
    memberErrors: z.array(memberErrorSchema),
    error: z.object({ code: z.string(), message: z.string().max(2000) }).strict().nullable(),
    membersAdded: z.number().int().nonnegative(),
    membersRemoved: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    relayId: z.string(),
    /** The relay's version (results of relays before it was reported have none). */
    relayVersion: z.string().max(64).optional(),
    at: z.string(),
  })
  .strict();
export type ResultMessage = z.infer<typeof resultMessageSchema>;
