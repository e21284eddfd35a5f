// The planned state per group (shared/domain/planned-state.ts): one row per group in the tenant's partition,
// the state as validated JSON (chunked: a group's proxyAddresses and skipped-member sample can be long).
import { z } from 'zod';
import { normaliseId } from '../domain/ids.js';
import { AD_GROUP_TYPES, type AdGroupType } from '../domain/model.js';
import type { PlannedGroup } from '../domain/planned-state.js';
import { mapLimit } from '../concurrency.js';
import { TABLES } from './tables.js';
import type { StoredEntity, TableStore } from '../ports/table-store.js';
import { textOf, textProperties } from './text-chunks.js';

const adGroupType = z.enum(AD_GROUP_TYPES as [AdGroupType, ...AdGroupType[]]);

const memberSkipReason = z.enum([
  'cloudOnlyUser',
  'cloudOnlyGroupNotWrittenBack',
  'deviceWritebackDisabled',
  'deviceWithoutDeviceId',
  'unsupportedMemberType',
  'invalidSecurityIdentifier',
  'memberNotFound',
]);

const skipReason = z.enum([
  'tenantWritebackDisabled',
  'syncedFromAd',
  'distributionList',
  'mailEnabledSecurityGroup',
  'unsupportedGroupType',
  'writebackDisabled',
  'tenantDefaultOff',
  'securityGroupNotEnabled',
  'securityGroupsNeedV2',
]);

const cloudGroupSchema = z
  .object({
    id: z.string(),
    displayName: z.string().nullable(),
    description: z.string().nullable(),
    groupTypes: z.array(z.string()),
    mailEnabled: z.boolean(),
    securityEnabled: z.boolean(),
    mail: z.string().nullable(),
    mailNickname: z.string().nullable(),
    proxyAddresses: z.array(z.string()),
    onPremisesSyncEnabled: z.boolean().nullable(),
    writebackConfiguration: z.object({ isEnabled: z.boolean().nullable(), onPremisesGroupType: adGroupType.nullable() }).strict(),
  })
  .strict();

const headerSchema = z
  .object({
    anchor: z.string(),
    cn: z.string(),
    samAccountName: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    adGroupType,
    groupType: z.number().int(),
    mail: z.object({ mail: z.string().nullable(), mailNickname: z.string().nullable(), proxyAddresses: z.array(z.string()) }).strict().nullable(),
  })
  .strict();

export const plannedGroupSchema = z
  .object({
    groupId: z.string(),
    seq: z.number().int().nonnegative(),
    lifecycle: z.enum(['present', 'softDeleted', 'hardDeleted']),
    cloud: cloudGroupSchema.nullable(),
    decision: z
      .discriminatedUnion('write', [
        z.object({ write: z.literal(true), adGroupType }).strict(),
        z.object({ write: z.literal(false), reason: z.union([skipReason, z.literal('hardDeleted')]) }).strict(),
      ])
      .nullable(),
    written: z.boolean(),
    header: headerSchema.nullable(),
    memberCount: z.number().int().nonnegative(),
    skipped: z
      .object({
        counts: z.partialRecord(memberSkipReason, z.number().int().nonnegative()),
        sample: z.array(z.object({ member: z.string(), reason: memberSkipReason }).strict()),
      })
      .strict(),
    newGroupDefault: z.boolean().optional(),
    overMemberLimit: z.number().int().nonnegative().optional(),
  })
  .strict();

function fromEntity(e: StoredEntity): PlannedGroup {
  return plannedGroupSchema.parse(JSON.parse(textOf(e)));
}

export class PlannedGroupRepository {
  constructor(
    private readonly tables: TableStore,
    private readonly concurrency = 16,
  ) {}

  private get table() {
    return this.tables.table(TABLES.plannedGroups);
  }

  async load(tenantId: string, groupId: string): Promise<PlannedGroup | null> {
    const e = await this.table.get(tenantId, normaliseId(groupId));
    return e === null ? null : fromEntity(e);
  }

  async loadMany(tenantId: string, groupIds: Iterable<string>): Promise<Map<string, PlannedGroup>> {
    const ids = [...new Set(groupIds)];
    const out = new Map<string, PlannedGroup>();
    await mapLimit(ids, this.concurrency, async (id) => {
      const g = await this.load(tenantId, id);
      if (g !== null) out.set(id, g);
    });
    return out;
  }

  /** Every planned group of the tenant (full rounds look for groups that disappeared). */
  async list(tenantId: string): Promise<PlannedGroup[]> {
    return (await this.table.listPartition(tenantId)).map(fromEntity);
  }

  async save(tenantId: string, group: PlannedGroup): Promise<void> {
    await this.table.upsert(
      {
        partitionKey: tenantId,
        rowKey: normaliseId(group.groupId),
        properties: {
          // Plain copies for people reading the table; the JSON is what the planner reads.
          seq: group.seq,
          written: group.written,
          lifecycle: group.lifecycle,
          ...textProperties(`planned state of ${group.groupId}`, JSON.stringify(group)),
        },
      },
      'replace',
    );
  }

  async saveMany(tenantId: string, groups: readonly PlannedGroup[]): Promise<void> {
    await mapLimit(groups, this.concurrency, (g) => this.save(tenantId, g));
  }
}
