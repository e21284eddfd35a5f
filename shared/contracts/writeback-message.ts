// Messages on the `writeback` queue (planner -> relay). Session id = cloud group id; messageId =
// `${groupId}:${seq}` so Service Bus duplicate detection drops replays. Both ends validate with these schemas.
import { z } from 'zod';
import { isGroupAnchor } from '../domain/naming.js';
import { guidSchema as guid } from './ids.js';

export const WRITEBACK_SCHEMA_VERSION = 1 as const;

const sid = z.string().regex(/^S-1-\d+(-\d+)+$/, 'expected a SID string');
const anchor = z.string().refine(isGroupAnchor, 'expected a group anchor');

/** How the relay finds a member in AD without a name. Cloud-only members are never sent. A `sid` ref says
 *  whether the member is a user or a group, as the planner knows it: the relay checks AD's nesting rules only
 *  for groups (absent, in messages from planners before it: checked as a possible group). */
export const memberRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sid'), cloudId: guid, sid, objectType: z.enum(['user', 'group']).optional() }).strict(),
  z.object({ kind: z.literal('group'), cloudId: guid, anchor }).strict(),
  z.object({ kind: z.literal('device'), cloudId: guid, deviceId: guid }).strict(),
]);
export type MemberRef = z.infer<typeof memberRefSchema>;

export const adGroupTypeSchema = z.enum([
  'universalDistributionGroup',
  'universalSecurityGroup',
  'universalMailEnabledSecurityGroup',
]);
export type AdGroupType = z.infer<typeof adGroupTypeSchema>;

/** The attributes the product manages on the AD group object. */
export const groupHeaderSchema = z
  .object({
    anchor,
    cn: z.string().min(1).max(64),
    samAccountName: z.string().min(1).max(64),
    displayName: z.string().min(1).max(256),
    description: z.string().max(1024).nullable(),
    adGroupType: adGroupTypeSchema,
    groupType: z.number().int(),
    mail: z
      .object({
        mail: z.string().nullable(),
        mailNickname: z.string().nullable(),
        proxyAddresses: z.array(z.string()),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type GroupHeader = z.infer<typeof groupHeaderSchema>;

const base = {
  v: z.literal(WRITEBACK_SCHEMA_VERSION),
  tenantId: guid,
  groupId: guid,
  seq: z.number().int().nonnegative(),
};

export const deleteReasonSchema = z.enum(['hardDeleted', 'writebackDisabled', 'tenantDisabled', 'outOfScope']);
export type DeleteReason = z.infer<typeof deleteReasonSchema>;

export const writebackMessageSchema = z.discriminatedUnion('kind', [
  /** Create or update the group; apply bounded member changes. Big changes span consecutive seqs. */
  z
    .object({ ...base, kind: z.literal('upsert'), header: groupHeaderSchema, add: z.array(memberRefSchema), remove: z.array(memberRefSchema) })
    .strict(),
  /** Delete the AD group this product created (found by anchor). */
  z.object({ ...base, kind: z.literal('delete'), anchor: z.string(), reason: deleteReasonSchema }).strict(),
  /** One part of the complete member list. After the last part the relay removes every member not in the
   *  union of all parts (drift repair, full resync, soft delete = an empty snapshot). */
  z
    .object({
      ...base,
      kind: z.literal('snapshot'),
      header: groupHeaderSchema,
      snapshotId: z.string().min(1).max(80),
      part: z.number().int().positive(),
      parts: z.number().int().positive(),
      members: z.array(memberRefSchema),
    })
    .strict()
    .refine((m) => m.part <= m.parts, 'part must be <= parts'),
]);
export type WritebackMessage = z.infer<typeof writebackMessageSchema>;

export function writebackMessageId(groupId: string, seq: number): string {
  return `${groupId}:${seq}`;
}
