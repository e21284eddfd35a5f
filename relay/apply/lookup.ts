// Finding objects in AD without names: written-back groups by their anchor (adminDescription), synced
// principals by objectSid, written-back devices by msDS-DeviceID. Lists are searched in bounded OR filters.
import { AndFilter, EqualityFilter, escapeFilter, ExtensibleFilter, OrFilter, type Client, type Entry, type Filter } from 'ldapts';
import { MANAGED_ATTRIBUTES } from './header-attributes.js';
import { chunk } from './chunk.js';
import { attributeMap, bufferValue, textValue } from '../ldap/entry.js';
import { guidToBuffer, guidToString, sidToBuffer, sidToString } from '../ldap/sid.js';
import { normaliseId } from '../../shared/domain/ids.js';
import type { AdContext } from '../ldap/ad-context.js';
import { RefusedError } from '../ldap/errors.js';
import { readWatermark, WATERMARK_ATTRIBUTE, type Watermark } from './watermark.js';

/** Values per OR filter. Each search is a round trip to a DC that may be busy with other clients, so a few
 *  large searches beat many small ones: checking 20,000 member SIDs took 17 s in 200 searches of 100 and
 *  2.5 s in 20 of 1,000 on a loaded Samba DC (bench/member-throughput.ts). A filter of 1,000 SIDs or anchors
 *  is ~50 KB, far below AD's MaxReceiveBuffer (10 MB). */
const LOOKUP_BATCH = 1000;

export interface AdGroup {
  dn: string;
  cn: string;
  objectGUID: string;
  objectSid: string;
  groupType: number;
  /** Managed attributes, keyed by lower-case name. */
  attributes: Map<string, string[]>;
  /** The seq of the newest change set applied to it. */
  watermark: Watermark;
}

export interface AdObjectRef {
  dn: string;
  objectGUID: string;
  objectSid: string | null;
  groupType: number | null;
}

export function anchorFilter(anchor: string): string {
  return escapeFilter`(&(objectClass=group)(adminDescription=${anchor}))`;
}

function toObjectRef(entry: Entry): AdObjectRef {
  const guid = bufferValue(entry, 'objectGUID');
  const sid = bufferValue(entry, 'objectSid');
  const groupType = textValue(entry, 'groupType');
  if (!guid) throw new Error(`entry ${entry.dn} came back without objectGUID`);
  return {
    dn: entry.dn,
    objectGUID: guidToString(guid),
    objectSid: sid ? sidToString(sid) : null,
    groupType: groupType === null ? null : Number(groupType),
  };
}

/**
 * The group carrying `anchor` anywhere under the search base (never looked up by name), or null.
 * Two objects with the same anchor cannot be told apart safely: refused.
 */
export async function findGroupByAnchor(client: Client, ctx: AdContext, anchor: string): Promise<AdGroup | null> {
  const attributes = ['cn', 'objectGUID', 'objectSid', WATERMARK_ATTRIBUTE, ...MANAGED_ATTRIBUTES.filter((a) => ctx.hasAttribute(a))];
  const { searchEntries } = await client.search(ctx.searchBaseDn, {
    scope: 'sub',
    filter: anchorFilter(anchor),
    attributes,
    explicitBufferAttributes: ['objectGUID', 'objectSid'],
  });
  if (searchEntries.length === 0) return null;
  if (searchEntries.length > 1) {
    throw new RefusedError(
      'AmbiguousAnchor',
      `${searchEntries.length} groups carry adminDescription=${anchor}: ${searchEntries.map((e) => e.dn).join('; ')}`,
    );
  }
  const entry = searchEntries[0]!;
  const ref = toObjectRef(entry);
  return {
    dn: entry.dn,
    cn: textValue(entry, 'cn') ?? '',
    objectGUID: ref.objectGUID,
    objectSid: ref.objectSid ?? '',
    groupType: ref.groupType ?? 0,
    attributes: attributeMap(entry, MANAGED_ATTRIBUTES),
    watermark: readWatermark(textValue(entry, WATERMARK_ATTRIBUTE)),
  };
}

async function searchRefs(client: Client, base: string, filter: Filter, extra: string[] = []): Promise<Entry[]> {
  const { searchEntries } = await client.search(base, {
    scope: 'sub',
    filter,
    attributes: ['objectGUID', 'objectSid', 'groupType', ...extra],
    explicitBufferAttributes: ['objectGUID', 'objectSid', ...extra.filter((a) => a === 'msDS-DeviceID')],
  });
  return searchEntries;
}

/** Written-back groups by anchor: lower-case anchor -> object. Anchors without a group are absent. */
export async function findGroupsByAnchors(
  client: Client,
  ctx: AdContext,
  anchors: readonly string[],
): Promise<Map<string, AdObjectRef>> {
  const found = new Map<string, AdObjectRef>();
  for (const batch of chunk([...new Set(anchors.map(normaliseId))], LOOKUP_BATCH)) {
    const filter = new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
        new OrFilter({ filters: batch.map((a) => new EqualityFilter({ attribute: 'adminDescription', value: a })) }),
      ],
    });
    for (const entry of await searchRefs(client, ctx.searchBaseDn, filter, ['adminDescription'])) {
      const anchor = textValue(entry, 'adminDescription');
      if (anchor) found.set(normaliseId(anchor), toObjectRef(entry));
    }
  }
  return found;
}

/** The SIDs (upper-case) among `sids` that belong to domain-local groups (AD's nesting rules forbid them). */
export async function findDomainLocalGroupSids(client: Client, ctx: AdContext, sids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const batch of chunk([...new Set(sids.map((s) => s.toUpperCase()))], LOOKUP_BATCH)) {
    const filter = new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
        // LDAP_MATCHING_RULE_BIT_AND: the domain-local bit (0x4) of groupType.
        new ExtensibleFilter({ rule: '1.2.840.113556.1.4.803', matchType: 'groupType', value: '4' }),
        new OrFilter({ filters: batch.map((s) => new EqualityFilter({ attribute: 'objectSid', value: sidToBuffer(s) })) }),
      ],
    });
    for (const entry of await searchRefs(client, ctx.searchBaseDn, filter)) {
      const sid = toObjectRef(entry).objectSid;
      if (sid) found.add(sid.toUpperCase());
    }
  }
  return found;
}

/** Written-back devices by deviceId (msDS-DeviceID, binary GUID): lower-case deviceId -> object. */
export async function findDevices(client: Client, ctx: AdContext, deviceIds: readonly string[]): Promise<Map<string, AdObjectRef>> {
  const found = new Map<string, AdObjectRef>();
  for (const batch of chunk([...new Set(deviceIds.map(normaliseId))], LOOKUP_BATCH)) {
    const filter = new OrFilter({
      filters: batch.map((d) => new EqualityFilter({ attribute: 'msDS-DeviceID', value: guidToBuffer(d) })),
    });
    for (const entry of await searchRefs(client, ctx.searchBaseDn, filter, ['msDS-DeviceID'])) {
      const id = bufferValue(entry, 'msDS-DeviceID');
      if (id && id.length === 16) found.set(guidToString(id), toObjectRef(entry));
    }
  }
  return found;
}
