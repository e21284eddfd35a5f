// Member identities via POST /directoryObjects/getByIds (<= 1000 ids per call): what the relay needs to find
// a member in AD (the on-premises SID of users and groups synced from AD; deviceId for devices); and, through
// the same call, members' names for the admin API.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { MemberIdentity } from '../../domain/model.js';
import type { MemberId, MemberName } from '../../ports/directory.js';
import { mapLimit } from '../../concurrency.js';
import { chunk } from './batch.js';
import { odataTypeName } from './group-wire.js';

export const GET_BY_IDS_MAX = 1000;
const IDENTITY_SELECT = 'id,onPremisesSecurityIdentifier,onPremisesSyncEnabled,deviceId';
const LOOKED_UP = new Set(['user', 'group', 'device']);

const identitySchema = z.looseObject({
  id: z.string().min(1),
  '@odata.type': z.string().nullish(),
  onPremisesSecurityIdentifier: z.string().nullish(),
  onPremisesSyncEnabled: z.boolean().nullish(),
  deviceId: z.string().nullish(),
});
const responseSchema = z.looseObject({ value: z.array(identitySchema) });
const NAME_SELECT = 'id,displayName,userPrincipalName';
const namesSchema = z.looseObject({
  value: z.array(z.looseObject({ id: z.string().min(1), '@odata.type': z.string().nullish(), displayName: z.string().nullish(), userPrincipalName: z.string().nullish() })),
});

function typeOf(t: string | null): MemberIdentity['type'] {
  return t === 'user' || t === 'group' || t === 'device' ? t : 'other';
}

export async function readMemberIdentities(client: Client, members: readonly MemberId[], concurrency = 4): Promise<Map<string, MemberIdentity>> {
  const out = new Map<string, MemberIdentity>();
  const lookup = new Set<string>();
  for (const m of members) {
    const t = m.type?.toLowerCase() ?? null;
    // Types the writeback never resolves (service principals, contacts...) need no lookup.
    if (t !== null && !LOOKED_UP.has(t)) {
      out.set(m.id, { id: m.id, type: 'other', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null });
    } else lookup.add(m.id);
  }
  await mapLimit(chunk([...lookup], GET_BY_IDS_MAX), concurrency, async (ids) => {
    const raw: unknown = await client
      .api('/directoryObjects/getByIds')
      .select(IDENTITY_SELECT)
      .post({ ids, types: ['user', 'group', 'device'] });
    for (const o of responseSchema.parse(raw).value) {
      out.set(o.id, {
        id: o.id,
        type: typeOf(odataTypeName(o['@odata.type'])?.toLowerCase() ?? null),
        onPremisesSecurityIdentifier: o.onPremisesSecurityIdentifier ?? null,
        onPremisesSyncEnabled: o.onPremisesSyncEnabled ?? null,
        deviceId: o.deviceId ?? null,
      });
    }
  });
  return out;
}

export async function readMemberNames(client: Client, ids: readonly string[], concurrency = 4): Promise<Map<string, MemberName>> {
  const out = new Map<string, MemberName>();
  await mapLimit(chunk([...new Set(ids)], GET_BY_IDS_MAX), concurrency, async (batch) => {
    const raw: unknown = await client.api('/directoryObjects/getByIds').select(NAME_SELECT).post({ ids: batch, types: ['user', 'group', 'device'] });
    for (const o of namesSchema.parse(raw).value) {
      const type = typeOf(odataTypeName(o['@odata.type'])?.toLowerCase() ?? null);
      out.set(o.id, { id: o.id, type: type === 'other' ? null : type, displayName: o.displayName ?? null, userPrincipalName: o.userPrincipalName ?? null });
    }
  });
  return out;
}
