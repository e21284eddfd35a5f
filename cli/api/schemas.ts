// The admin API's answers as the CLI reads them (the contract: docs/admin.md lists the routes). The CLI
// needs ids and states to work; descriptive fields a Function App of another version may not send yet are
// read as null and shown as "-", and fields the CLI does not know are ignored.
import { z } from 'zod';

/** A field the CLI shows when present: absent and null both read as null. */
const shown = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? null);

export const groupStateSchema = z.enum(['written', 'partial', 'pending', 'held', 'failed', 'softDeleted', 'skipped', 'deleted']);
export type GroupState = z.infer<typeof groupStateSchema>;

export const AD_GROUP_TYPES = ['universalDistributionGroup', 'universalSecurityGroup', 'universalMailEnabledSecurityGroup'] as const;

export const groupSummarySchema = z.object({
  groupId: z.string(),
  displayName: shown(z.string()),
  type: shown(z.string()),
  adGroupType: shown(z.string()),
  state: groupStateSchema,
  reason: shown(z.string()),
  members: shown(z.object({ planned: z.number().nullable(), cloudOnly: z.number(), errors: z.number() })),
  lastChangeAt: shown(z.string()),
  lastResultAt: shown(z.string()),
  outcome: shown(z.string()),
  /** The relay's last progress report while it writes a big change set (cleared by its result). */
  progress: shown(z.object({ done: z.number(), total: z.number(), perSecond: z.number(), stage: z.string(), at: z.string() })),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const statusPageSchema = z.object({
  count: z.number(),
  value: z.array(groupSummarySchema),
  nextSkip: shown(z.number()),
});
export type StatusPage = z.infer<typeof statusPageSchema>;

const memberRefSchema = z.object({ memberId: z.string(), displayName: shown(z.string()), userPrincipalName: shown(z.string()) });

export const memberErrorViewSchema = memberRefSchema.extend({ kind: shown(z.string()), code: z.string(), message: z.string() });

export const heldChangeSchema = z.object({
  groupId: z.string(),
  kind: z.string(),
  deletions: z.number(),
  memberRemovals: z.number(),
  reason: z.string(),
  heldAt: z.string(),
  approvedAt: shown(z.string()),
});
export type HeldChangeView = z.infer<typeof heldChangeSchema>;

export const groupDetailSchema = z.object({
  groupId: z.string(),
  cloud: z
    .object({
      displayName: shown(z.string()),
      description: shown(z.string()),
      type: shown(z.string()),
      mailNickname: shown(z.string()),
      writeback: shown(z.object({ isEnabled: shown(z.boolean()), onPremisesGroupType: shown(z.string()) })),
      memberCount: shown(z.number()),
    })
    .nullable(),
  decision: z.object({ write: z.boolean(), reason: shown(z.string()), adGroupType: shown(z.string()), cn: shown(z.string()) }),
  applied: z
    .object({ cn: shown(z.string()), dn: shown(z.string()), objectGUID: shown(z.string()), objectSid: shown(z.string()), seq: shown(z.number()), memberCount: shown(z.number()) })
    .nullable(),
  status: groupSummarySchema,
  memberErrors: z.array(memberErrorViewSchema),
  held: heldChangeSchema.nullable(),
});
export type GroupDetail = z.infer<typeof groupDetailSchema>;

export const previewSchema = z.object({
  groupId: z.string(),
  displayName: shown(z.string()),
  actions: z.array(z.object({ kind: z.string(), detail: z.string(), members: shown(z.array(memberRefSchema)), count: shown(z.number()) })),
  summary: z.string(),
});

export const syncSchema = z.object({
  groupId: z.string(),
  steps: z.array(z.object({ step: z.string(), ok: z.boolean(), detail: z.string(), at: shown(z.string()) })),
});

export const resyncSchema = z.object({ enqueued: z.string() });

export const heldListSchema = z.object({
  count: z.number(),
  window: z.object({ deletions: z.number(), memberRemovals: z.number(), windowHours: z.number(), deletionThreshold: z.number(), memberRemovalThreshold: z.number() }),
  value: z.array(heldChangeSchema),
});

export const rejectSchema = z.object({ groupId: z.string(), rejectedAt: z.string() });

/** Settings are printed as the API sends them: the CLI checks their names, the API their values. */
export const settingsSchema = z.object({
  settings: z.record(z.string(), z.unknown()),
  effective: shown(z.record(z.string(), z.unknown())),
});

export const wouldRemoveSchema = z.object({
  wouldRemove: z.number(),
  groups: z.array(z.object({ groupId: z.string(), displayName: shown(z.string()) })),
});
export type WouldRemove = z.infer<typeof wouldRemoveSchema>;

export const relaysSchema = z.object({
  value: z.array(
    z.object({
      relayId: z.string(),
      version: shown(z.string()),
      host: shown(z.string()),
      dcUrl: shown(z.string()),
      lastMessageAt: shown(z.string()),
      startedAt: shown(z.string()),
      lastHeartbeatAt: shown(z.string()),
      silentForSeconds: shown(z.number()),
      silent: z.boolean(),
    }),
  ),
});

export const DEAD_LETTER_QUEUES = ['writeback', 'writeback-results', 'graph-changes'] as const;

export const deadLettersSchema = z.object({
  value: z.array(
    z.object({
      queue: z.string(),
      sequenceNumber: z.string(),
      messageId: shown(z.string()),
      groupId: shown(z.string()),
      reason: shown(z.string()),
      description: shown(z.string()),
      enqueuedAt: shown(z.string()),
      deliveryCount: shown(z.number()),
    }),
  ),
});
