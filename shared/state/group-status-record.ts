// The per-group status record: its schema (the ONE both writers use: the planner and recordResults) and the
// store it lives in. How a status changes is decided in shared/app/status/group-status.ts (mergeStatus).
import { z } from 'zod';
import { memberErrorSchema, memberProgressSchema, resultOutcomeSchema } from '../contracts/result-message.js';
import { AD_GROUP_TYPES, type AdGroupType } from '../domain/model.js';

export const groupStateSchema = z.enum(['written', 'partial', 'failed', 'skipped', 'deleted', 'softDeleted', 'pending', 'held']);
export type GroupState = z.infer<typeof groupStateSchema>;

/** What the planned change set is meant to do; decides the state name once it is applied. */
export const planIntentSchema = z.enum(['write', 'softDelete', 'delete']);
export type PlanIntent = z.infer<typeof planIntentSchema>;

/** A change set that did not land: the group's full state must be sent again (shared/app/status/repair.ts). */
export const groupRepairSchema = z
  .object({
    /** failed: the relay reported it failed; noResult: no result came within the pending limit. */
    cause: z.enum(['failed', 'noResult']),
    code: z.string(),
    message: z.string(),
    /** First and last seq that did not land; a full state planned after `lastSeq` repairs the group. */
    sinceSeq: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    /** The first full-state change set (snapshot parts, or a delete) planned after `lastSeq`: its last result,
     *  applied, repairs the group. */
    fullState: z.object({ firstSeq: z.number().int().nonnegative(), lastSeq: z.number().int().nonnegative() }).strict().nullable(),
    /** How often the planner was asked for the group's full state since. */
    requests: z.number().int().nonnegative(),
    /** When it was last asked, or recorded when not asked yet (backoff between requests). */
    at: z.string(),
  })
  .strict();
export type GroupRepair = z.infer<typeof groupRepairSchema>;

/** The kind of cloud group, as the admin API names it (null: none of these). */
export const groupKindSchema = z.enum(['m365', 'security', 'mailEnabledSecurity', 'distribution']);
export type GroupKind = z.infer<typeof groupKindSchema>;

/** What the status list shows of a group, recorded by the planner from its planned state, so listing needs no
 *  Graph call. Rows written before these fields read as null. */
export interface GroupFacts {
  displayName: string | null;
  type: GroupKind | null;
  /** The AD group type the policy writes it as; null when it is not written. */
  adGroupType: AdGroupType | null;
  /** Members the planned state sends to AD (cloud-only members are counted in cloudOnlyMembers). */
  plannedMemberCount: number | null;
}

export const groupStatusSchema = z
  .object({
    tenantId: z.string(),
    groupId: z.string(),
    state: groupStateSchema,
    /** Why skipped / held / failed, in words. */
    reason: z.string().nullable(),
    // -- planner side: the group as last planned (GroupFacts)
    displayName: z.string().nullable().default(null),
    type: groupKindSchema.nullable().default(null),
    adGroupType: z.enum(AD_GROUP_TYPES as [AdGroupType, ...AdGroupType[]]).nullable().default(null),
    plannedMemberCount: z.number().int().nonnegative().nullable().default(null),
    // -- planner side: the change set
    intent: planIntentSchema.nullable(),
    batchFirstSeq: z.number().int().nonnegative().nullable(),
    plannedSeq: z.number().int().nonnegative().nullable(),
    /** Members not written because they have no on-prem identity (never sent to the relay). */
    cloudOnlyMembers: z.number().int().nonnegative().nullable(),
    // -- relay side, over the current change set
    lastResultSeq: z.number().int().nonnegative().nullable(),
    outcome: resultOutcomeSchema.nullable(),
    ad: z.object({ objectGUID: z.string(), objectSid: z.string(), dn: z.string() }).strict().nullable(),
    memberErrors: z.array(memberErrorSchema),
    /** Members the planner did not send (cloud-only users...), reason as code: they head memberErrors of
     *  each change set until the planner replaces them. Rows written before this field: []. */
    plannedMemberErrors: z.array(memberErrorSchema).default([]),
    /** Member errors beyond MAX_STATUS_MEMBER_ERRORS (counted, not kept). */
    memberErrorsOmitted: z.number().int().nonnegative(),
    error: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
    counts: z.object({ membersAdded: z.number().int().nonnegative(), membersRemoved: z.number().int().nonnegative() }).strict(),
    relayId: z.string().nullable(),
    /** While the relay writes a big change set: how far it has come (cleared by its results). Rows before it: null. */
    progress: memberProgressSchema.nullable().default(null),
    /** Set while a change set that did not land waits for the group's full state. Rows before it: null. */
    repair: groupRepairSchema.nullable().default(null),
    notes: z.array(z.string()),
    resultAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .strict();
export type GroupStatus = z.infer<typeof groupStatusSchema>;

export function emptyStatus(tenantId: string, groupId: string, at: string): GroupStatus {
  return {
    tenantId,
    groupId,
    state: 'pending',
    reason: null,
    displayName: null,
    type: null,
    adGroupType: null,
    plannedMemberCount: null,
    intent: null,
    batchFirstSeq: null,
    plannedSeq: null,
    cloudOnlyMembers: null,
    lastResultSeq: null,
    outcome: null,
    ad: null,
    memberErrors: [],
    plannedMemberErrors: [],
    memberErrorsOmitted: 0,
    error: null,
    counts: { membersAdded: 0, membersRemoved: 0 },
    relayId: null,
    progress: null,
    repair: null,
    notes: [],
    resultAt: null,
    updatedAt: at,
  };
}

/** Where statuses live (the group status table). `write` with an etag is conditional. */
export interface GroupStatusStore {
  read(tenantId: string, groupId: string): Promise<{ status: GroupStatus; etag: string } | null>;
  /** etag null = insert only. Returns false when the row changed (or appeared) meanwhile. */
  write(status: GroupStatus, etag: string | null): Promise<boolean>;
  list(tenantId?: string): Promise<GroupStatus[]>;
  /** A tenant's statuses in one of `states`, last updated at or before `idleSince` (ISO time). Both are columns:
   *  the query reads only those rows. */
  listIdle(tenantId: string, states: readonly GroupState[], idleSince: string): Promise<GroupStatus[]>;
}
