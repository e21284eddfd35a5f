// Inputs of the control API (HTTP under /_control and the in-process methods), validated with zod.
import { z } from 'zod';
import { guidSchema } from '../../shared/contracts/ids.js';
import { failureRuleSchema } from './failures.js';

export { permissionsSchema } from './permissions.js';

const onPremSchema = z.object({
  securityIdentifier: z.string().optional(),
  samAccountName: z.string().optional(),
  domainName: z.string().optional(),
  distinguishedName: z.string().optional(),
  immutableId: z.string().optional(),
});

export const userSpecSchema = z.object({
  id: guidSchema.optional(),
  displayName: z.string().min(1),
  userPrincipalName: z.string().includes('@').optional(),
  mail: z.string().nullable().optional(),
  /** true (or details) = synced from AD: onPremises* properties are filled in. */
  synced: z.union([z.boolean(), onPremSchema]).optional(),
});
export type UserSpec = z.input<typeof userSpecSchema>;

export const groupKindSchema = z.enum(['m365', 'security', 'mailEnabledSecurity', 'distribution']);
export type GroupKind = z.infer<typeof groupKindSchema>;

export const writebackSpecSchema = z.object({
  isEnabled: z.boolean().nullable().optional(),
  onPremisesGroupType: z.enum(['universalDistributionGroup', 'universalSecurityGroup', 'universalMailEnabledSecurityGroup']).nullable().optional(),
});

export const groupSpecSchema = z.object({
  id: guidSchema.optional(),
  displayName: z.string().min(1),
  description: z.string().nullable().optional(),
  kind: groupKindSchema.default('security'),
  mailNickname: z.string().optional(),
  mail: z.string().nullable().optional(),
  proxyAddresses: z.array(z.string()).optional(),
  dynamic: z.boolean().optional(),
  membershipRule: z.string().optional(),
  synced: z.union([z.boolean(), onPremSchema]).optional(),
  writebackConfiguration: writebackSpecSchema.optional(),
  /** Member object ids (users, groups, devices) added at creation. */
  members: z.array(z.string()).optional(),
});
export type GroupSpec = z.input<typeof groupSpecSchema>;

export const deviceSpecSchema = z.object({
  id: guidSchema.optional(),
  deviceId: guidSchema.optional(),
  displayName: z.string().min(1),
  trustType: z.enum(['AzureAd', 'ServerAd', 'Workplace']).optional(),
  synced: z.union([z.boolean(), onPremSchema]).optional(),
});
export type DeviceSpec = z.input<typeof deviceSpecSchema>;

export const groupPatchSchema = z.object({
  properties: z.record(z.string(), z.unknown()).optional(),
  writebackConfiguration: writebackSpecSchema.optional(),
});

export const membersSchema = z.object({ memberIds: z.array(z.string()).min(1) });

export const tenantSettingsSchema = z.object({ newUnifiedGroupWritebackDefault: z.boolean() });

export const clockSchema = z.union([z.object({ set: z.string().datetime({ offset: true }) }), z.object({ advanceMs: z.number() })]);

export const invalidateSchema = z.object({ mode: z.enum(['gone', 'syncStateNotFound', 'resyncRequired']).default('gone') });

export const deltaBehaviorSchema = z
  .object({
    pageSize: z.number().int().min(2),
    emptyPagesPerRound: z.number().int().nonnegative(),
    replayEvery: z.number().int().nonnegative(),
    changedPropertiesOnly: z.boolean(),
    tokenLifetimeMs: z.number().int().positive(),
    replicationLagMs: z.number().int().nonnegative(),
  })
  .partial();

export const deliveryOptionsSchema = z
  .object({
    timeoutMs: z.number().int().positive(),
    retryDelaysMs: z.array(z.number().int().nonnegative()),
    batch: z.boolean(),
  })
  .partial();

export const subscriptionLimitsSchema = z
  .object({ validationTimeoutMs: z.number().int().positive(), maxSubscriptions: z.number().int().nonnegative() })
  .partial();

export const lifecycleSchema = z.object({ event: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']) });

export const deleteGroupSchema = z.object({ permanent: z.boolean().optional() });

export { failureRuleSchema };
