// The scenario file format v1 (docs/scenarios.md; a fixed interface). Strict: unknown keys and
// unknown ops are errors that name the step.
import { z } from 'zod';
import { guidSchema as guid } from '../../shared/contracts/ids.js';

export const scenarioSettingsSchema = z
  .object({
    groupWritebackV2: z.boolean(),
    cnFormat: z.enum(['objectId', 'displayName']),
    newUnifiedGroupWritebackDefault: z.boolean(),
    deviceWriteback: z.boolean(),
    exchangeSchema: z.boolean(),
  })
  .strict();
export type ScenarioSettings = z.infer<typeof scenarioSettingsSchema>;

export const DEFAULT_SETTINGS: ScenarioSettings = {
  groupWritebackV2: true,
  cnFormat: 'objectId',
  newUnifiedGroupWritebackDefault: true,
  deviceWriteback: false,
  exchangeSchema: false,
};

const writebackSchema = z
  .object({
    isEnabled: z.boolean().nullable().optional(),
    onPremisesGroupType: z
      .enum(['universalDistributionGroup', 'universalSecurityGroup', 'universalMailEnabledSecurityGroup'])
      .nullable()
      .optional(),
  })
  .strict();

export const stepSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('createUser'), id: guid, displayName: z.string().min(1), syncedFrom: z.string().min(1).optional() }).strict(),
  z.object({ op: z.literal('createDevice'), id: guid, deviceId: guid, displayName: z.string().min(1) }).strict(),
  z
    .object({
      op: z.literal('createGroup'),
      id: guid,
      kind: z.enum(['m365', 'security', 'mailEnabledSecurity', 'distribution']),
      displayName: z.string().min(1),
      description: z.string().optional(),
      mailNickname: z.string().optional(),
      writeback: writebackSchema.optional(),
      syncedFrom: z.string().min(1).optional(),
      members: z.array(guid).optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal('updateGroup'),
      id: guid,
      displayName: z.string().min(1).optional(),
      description: z.string().optional(),
      writeback: writebackSchema.optional(),
    })
    .strict(),
  z.object({ op: z.literal('addMembers'), id: guid, members: z.array(guid).min(1) }).strict(),
  z.object({ op: z.literal('removeMembers'), id: guid, members: z.array(guid).min(1) }).strict(),
  z.object({ op: z.literal('deleteGroup'), id: guid, permanent: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('restoreGroup'), id: guid }).strict(),
  z.object({ op: z.literal('deleteUser'), id: guid, permanent: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('setSettings'), settings: scenarioSettingsSchema.partial() }).strict(),
  z
    .object({
      op: z.literal('adTamper'),
      groupId: guid,
      action: z.enum(['delete', 'setDescription', 'addMember', 'removeMember']),
      value: z.string().optional(),
      sam: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ op: z.literal('reconcile') }).strict(),
  z.object({ op: z.literal('checkpoint'), name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -') }).strict(),
]);
export type ScenarioStep = z.infer<typeof stepSchema>;

export const scenarioSchema = z
  .object({
    name: z.string(),
    settings: scenarioSettingsSchema.partial().optional(),
    ad: z
      .object({
        users: z.array(z.object({ sam: z.string().min(1).max(20) }).strict()).optional(),
        groups: z
          .array(
            z
              .object({
                sam: z.string().min(1).max(64),
                scope: z.enum(['domainLocal', 'global', 'universal']),
                security: z.boolean(),
              })
              .strict(),
          )
          .optional(),
        devices: z.array(z.object({ deviceId: guid }).strict()).optional(),
      })
      .strict()
      .optional(),
    steps: z.array(z.unknown()),
  })
  .strict();

export interface Scenario {
  name: string;
  settings: ScenarioSettings;
  ad: { users: { sam: string }[]; groups: { sam: string; scope: 'domainLocal' | 'global' | 'universal'; security: boolean }[]; devices: { deviceId: string }[] };
  steps: ScenarioStep[];
}
