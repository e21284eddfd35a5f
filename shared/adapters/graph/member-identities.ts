// Member identities: what the relay needs to find a member in AD (the on-premises SID of users and groups synced
// from AD; deviceId for devices). Read per object type within the granted read permissions (User.Read.All,
// Group.Read.All, Device.Read.All): `GET /{users|groups|devices}?$filter=id in (...)`, at most 15 ids a request
// (Graph's limit for `in`), 20 requests a $batch. Not directoryObjects/getByIds: it needs Directory.Read.All
// (docs/graph.md, "Permissions", compares the cost).
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { isGuid } from '../../domain/ids.js';
import type { MemberIdentity } from '../../domain/model.js';
import type { MemberId, MemberName } from '../../ports/directory.js';
import { mapLimit } from '../../concurrency.js';
import { batchGet, chunk, MAX_BATCH_REQUESTS } from './batch.js';
import { graphErrorCode } from './graph-errors.js';

/** Values in one `in (...)` without advanced queries (Microsoft Graph known issue 13635). */
export const FILTER_IN_MAX = 15;

type LookedUp = 'user' | 'group' | 'device';
const LOOKED_UP: readonly LookedUp[] = ['user', 'group', 'device'];
const COLLECTION: Record<LookedUp, string> = { user: 'users', group: 'groups', device: 'devices' };
const SELECT: Record<LookedUp, string> = {
  user: 'id,onPremisesSecurityIdentifier,onPremisesSyncEnabled',
  group: 'id,onPremisesSecurityIdentifier,onPremisesSyncEnabled',
  device: 'id,deviceId,onPremisesSecurityIdentifier,onPremisesSyncEnabled',
};

const identitySchema = z.looseObject({
  id: z.string().min(1),
  onPremisesSecurityIdentifier: z.string().nullish(),
  onPremisesSyncEnabled: z.boolean().nullish(),
  deviceId: z.string().nullish(),
});
const pageSchema = z.looseObject({ value: z.array(identitySchema) });
const NAME_SELECT: Record<LookedUp, string> = { user: 'id,displayName,userPrincipalName', group: 'id,displayName', device: 'id,displayName' };
const namesSchema = z.looseObject({
  value: z.array(z.looseObject({ id: z.string().min(1), displayName: z.string().nullish(), userPrincipalName: z.string().nullish() })),
});

function isLookedUp(type: string): type is LookedUp {
  return (LOOKED_UP as readonly string[]).includes(type);
}

function other(id: string): MemberIdentity {
  return { id, type: 'other', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null };
}

interface Lookup {
  type: LookedUp;
  url: string;
}

/** One request per 15 ids of a type; ids are GUIDs (checked), so they need no escaping inside the quotes. */
function lookups(type: LookedUp, ids: readonly string[], select: Record<LookedUp, string>): Lookup[] {
  return chunk(ids, FILTER_IN_MAX).map((part) => ({
    type,
    url: `/${COLLECTION[type]}?$filter=${encodeURIComponent(`id in (${part.map((id) => `'${id}'`).join(',')})`)}&$select=${select[type]}`,
  }));
}

/** Reads the objects named in `ids` per type, 20 requests a $batch; `found` sees each object with its type. */
async function lookUp(
  client: Client,
  ids: Record<LookedUp, Set<string>>,
  select: Record<LookedUp, string>,
  concurrency: number,
  found: (type: LookedUp, body: unknown) => void,
): Promise<void> {
  const requests = LOOKED_UP.flatMap((type) => lookups(type, [...ids[type]], select));
  await mapLimit(chunk(requests, MAX_BATCH_REQUESTS), concurrency, async (batch) => {
    const answers = await batchGet(client, 'v1.0', batch.map((r, i) => ({ id: String(i), url: r.url })));
    batch.forEach((r, i) => {
      const a = answers.get(String(i))!;
      if (a.status !== 200) {
        const code = graphErrorCode(a.body);
        throw new Error(`reading ${COLLECTION[r.type]} of members failed with ${a.status}${code === null ? '' : ` (${code})`}`);
      }
      found(r.type, a.body);
    });
  });
}

export async function readMemberIdentities(client: Client, members: readonly MemberId[], concurrency = 4): Promise<Map<string, MemberIdentity>> {
  const out = new Map<string, MemberIdentity>();
  const ids: Record<LookedUp, Set<string>> = { user: new Set(), group: new Set(), device: new Set() };
  for (const m of members) {
    const type = m.type?.toLowerCase() ?? null;
    // Types the writeback never resolves (service principals, contacts...) need no lookup.
    if (type !== null && !isLookedUp(type)) {
      out.set(m.id, other(m.id));
      continue;
    }
    // A non-GUID id names no directory object: left out, so the member is skipped as not found.
    if (!isGuid(m.id)) continue;
    // An untyped id is looked for in every collection.
    for (const t of type === null ? LOOKED_UP : [type]) ids[t].add(m.id);
  }
  await lookUp(client, ids, SELECT, concurrency, (type, body) => {
    for (const o of pageSchema.parse(body).value) {
      out.set(o.id, {
        id: o.id,
        type,
        onPremisesSecurityIdentifier: o.onPremisesSecurityIdentifier ?? null,
        onPremisesSyncEnabled: o.onPremisesSyncEnabled ?? null,
        deviceId: o.deviceId ?? null,
      });
    }
  });
  return out;
}

/** Members' names for the admin API (display name, and UPN for users), with the same per-type reads. */
export async function readMemberNames(client: Client, ids: readonly string[], concurrency = 4): Promise<Map<string, MemberName>> {
  const out = new Map<string, MemberName>();
  const wanted = [...new Set(ids)].filter(isGuid);
  const byType: Record<LookedUp, Set<string>> = { user: new Set(wanted), group: new Set(wanted), device: new Set(wanted) };
  await lookUp(client, byType, NAME_SELECT, concurrency, (type, body) => {
    for (const o of namesSchema.parse(body).value) {
      out.set(o.id, { id: o.id, type, displayName: o.displayName ?? null, userPrincipalName: o.userPrincipalName ?? null });
    }
  });
  return out;
}
