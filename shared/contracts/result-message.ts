// Messages on the `writeback-results` queue (relay -> recordResults): one result per writeback message, and,
// while long member work runs (a big snapshot), a progress report every few seconds.
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

const count = z.number().int().nonnegative();

/** How far long member work on a change set has come (shown on the group status until its results arrive). */
export const memberProgressSchema = z
  .object({
    /** The change set's last seq (a snapshot's last part): results up to it end the progress. */
    seq: z.number().int().nonnegative(),
    /** Members checked and, where needed, written or removed. */
    done: count,
    /** Members named so far plus an estimate for the parts still to come. */
    total: count,
    membersAdded: count,
    membersRemoved: count,
    perSecond: count,
    /** Where the work is ('part 3 of 40', 'removing'). */
    stage: z.string().max(100),
    at: z.string(),
  })
  .strict();
export type MemberProgress = z.infer<typeof memberProgressSchema>;

/** `type: "progress"` tells it from results (which have no `type`) and heartbeats. */
export const progressMessageSchema = z
  .object({
    v: z.literal(RESULT_SCHEMA_VERSION),
    type: z.literal('progress'),
    tenantId: z.string(),
    groupId: z.string(),
    relayId: z.string(),
    progress: memberProgressSchema,
  })
  .strict();
export type ProgressMessage = z.infer<typeof progressMessageSchema>;

export function isProgressBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'progress';
}
