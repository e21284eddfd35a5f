// The scenario file format v2 (docs/scenarios.md; v1 files stay valid). Strict: unknown keys and unknown ops
// are errors that name the step.
import { z } from 'zod';
import { guidSchema as guid } from '../../shared/contracts/ids.js';

export const scenarioSettingsSchema = z
  .object({
    groupWritebackV2: z.boolean(),
    writebackEnabled: z.boolean(),
    cnFormat: z.enum(['objectId', 'displayName']),
    newUnifiedGroupWritebackDefault: z.boolean(),
    deviceWriteback: z.boolean(),
    exchangeSchema: z.boolean(),
    deletionThreshold: z.number().int().nonnegative(),
    memberRemovalThreshold: z.number().int().nonnegative(),
    safetyNetSeconds: z.number().int().positive(),
  })
  .strict();
export type ScenarioSettings = z.infer<typeof scenarioSettingsSchema>;

export const DEFAULT_SETTINGS: ScenarioSettings = {
  groupWritebackV2: true,
  writebackEnabled: true,
  cnFormat: 'objectId',
  newUnifiedGroupWritebackDefault: true,
  deviceWriteback: false,
  exchangeSchema: false,
  deletionThreshold: 500,
  memberRemovalThreshold: 5000,
  safetyNetSeconds: 300,
};

/** Any step may say `settle: false`: the runner goes on without waiting for the pipeline to settle. */
const settle = { settle: z.boolean().optional() };

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
  z.object({ op: z.literal('createUser'), ...settle, id: guid, displayName: z.string().min(1), syncedFrom: z.string().min(1).optional() }).strict(),
  z.object({ op: z.literal('createDevice'), ...settle, id: guid, deviceId: guid, displayName: z.string().min(1) }).strict(),
  z
    .object({
      op: z.literal('createGroup'),
      ...settle,
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
      ...settle,
      id: guid,
      displayName: z.string().min(1).optional(),
      description: z.string().optional(),
      writeback: writebackSchema.optional(),
    })
    .strict(),
  z.object({ op: z.literal('addMembers'), ...settle, id: guid, members: z.array(guid).min(1) }).strict(),
  z.object({ op: z.literal('removeMembers'), ...settle, id: guid, members: z.array(guid).min(1) }).strict(),
  z.object({ op: z.literal('deleteGroup'), ...settle, id: guid, permanent: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('restoreGroup'), ...settle, id: guid }).strict(),
  z.object({ op: z.literal('deleteUser'), ...settle, id: guid, permanent: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('setSettings'), ...settle, settings: scenarioSettingsSchema.partial() }).strict(),
  z
    .object({
      op: z.literal('adTamper'),
      ...settle,
      groupId: guid,
      action: z.enum(['delete', 'setDescription', 'addMember', 'removeMember']),
      value: z.string().optional(),
      sam: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ op: z.literal('reconcile'), ...settle }).strict(),
  z.object({ op: z.literal('checkpoint'), ...settle, name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -') }).strict(),
  // v2: faults (a fault stays until the same target is set up again) and what an admin does
  z.object({ op: z.literal('fault'), ...settle, target: z.enum(['dc', 'tables']), state: z.enum(['down', 'up']) }).strict(),
  z
    .object({
      op: z.literal('graphFault'),
      ...settle,
      status: z.number().int().min(400).max(599),
      times: z.number().int().positive().optional(),
      seconds: z.number().positive().optional(),
      match: z.string().min(1),
    })
    .strict()
    .refine((f) => (f.times === undefined) !== (f.seconds === undefined), 'give exactly one of times and seconds'),
  z.object({ op: z.literal('dropNotifications'), ...settle, count: z.number().int().positive() }).strict(),
  z.object({ op: z.literal('relayCrash'), ...settle }).strict(),
  z.object({ op: z.literal('loseState'), ...settle }).strict(),
  z.object({ op: z.literal('approveDeletions'), ...settle, groupIds: z.array(guid).min(1) }).strict(),
  z.object({ op: z.literal('replay'), ...settle, groupId: guid, seq: z.number().int().positive() }).strict(),
  z.object({ op: z.literal('wait'), ...settle, seconds: z.number().positive().max(600) }).strict(),
]);
export type ScenarioStep = z.infer<typeof stepSchema>;

/** A group Azure AD Connect group writeback wrote earlier (migration; dev/scenario/aadc-groups.ts). */
const aadcGroupSchema = z
  .object({
    groupId: guid,
    cn: z.string().min(1).max(64),
    sam: z.string().min(1).max(64),
    type: z.enum(['security', 'distribution']),
    members: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type AadcGroup = z.infer<typeof aadcGroupSchema>;

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
        writtenByAadc: z.array(aadcGroupSchema).optional(),
      })
      .strict()
      .optional(),
    steps: z.array(z.unknown()),
  })
  .strict();

export interface Scenario {
  name: string;
  settings: ScenarioSettings;
  ad: {
    users: { sam: string }[];
    groups: { sam: string; scope: 'domainLocal' | 'global' | 'universal'; security: boolean }[];
    devices: { deviceId: string }[];
    writtenByAadc: AadcGroup[];
  };
  steps: ScenarioStep[];
}
