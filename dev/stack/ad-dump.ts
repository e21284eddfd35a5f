// Reads the writeback OU as AD holds it, in the scenario dump's shape: one subtree search for the groups,
// ranged reads for big `member` attributes, and one paged search of the domain to name members
// (sAMAccountName, the anchor of a written-back group, or device:<deviceId>).
import type { Client, Entry } from 'ldapts';
import { guidToString, sidToString } from '../../relay/ldap/sid.js';
import { isGroupAnchor } from '../../shared/domain/naming.js';
import { textValue, textValues, bufferValue } from '../../relay/ldap/entry.js';
import { rangedValues } from '../../relay/ldap/ranged-members.js';
import { extendedDnControl } from '../../relay/ldap/controls.js';
import { parseExtendedDn } from '../../relay/apply/member-identity.js';
import type { DumpGroup } from '../scenario/dump.js';

const GROUP_ATTRIBUTES = [
  'cn', 'objectGUID', 'objectSid', 'sAMAccountName', 'groupType', 'adminDescription', 'displayName',
  'description', 'mail', 'mailNickname', 'proxyAddresses',
];

async function readMemberGuids(client: Client, dn: string): Promise<string[]> {
  const guids: string[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const start: number = from;
    const { searchEntries } = await client.search(
      dn,
      { scope: 'base', filter: '(objectClass=*)', attributes: [`member;range=${start}-*`] },
      extendedDnControl(),
    );
    const entry = searchEntries[0];
    if (!entry) break;
    const page = rangedValues(entry);
    guids.push(...page.values.map((v) => parseExtendedDn(v).guid));
    from = page.next !== null && page.next > start ? page.next : null;
  }
  return guids;
}

/** GUID -> the name a dump uses for a member: one paged search per base (the run's own OUs hold nearly every
 *  member), then a lookup by GUID for the few that live elsewhere. Searching the whole domain instead would
 *  read every object a benchmark or another run left there. */
async function memberNames(client: Client, bases: readonly string[], guids: ReadonlySet<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const base of bases) {
    const { searchEntries } = await client.search(base, {
      scope: 'sub',
      filter: MEMBER_FILTER,
      attributes: MEMBER_ATTRIBUTES,
      explicitBufferAttributes: ['objectGUID', 'msDS-DeviceID'],
      paged: { pageSize: 1000 },
    });
    for (const e of searchEntries) names.set(guidOf(e), nameOf(e));
  }
  for (const guid of guids) {
    if (names.has(guid)) continue;
    const { searchEntries } = await client.search(`<GUID=${guid}>`, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: MEMBER_ATTRIBUTES,
      explicitBufferAttributes: ['objectGUID', 'msDS-DeviceID'],
    });
    const e = searchEntries[0];
    if (e) names.set(guid, nameOf(e));
  }
  return names;
}

const MEMBER_FILTER = '(|(objectClass=user)(objectClass=group)(objectClass=computer)(objectClass=msDS-Device))';
const MEMBER_ATTRIBUTES = ['objectGUID', 'sAMAccountName', 'adminDescription', 'msDS-DeviceID', 'objectClass'];

function guidOf(e: Entry): string {
  const b = bufferValue(e, 'objectGUID');
  if (!b) throw new Error(`${e.dn} has no objectGUID`);
  return guidToString(b);
}

function nameOf(e: Entry): string {
  const anchor = textValue(e, 'adminDescription');
  if (anchor !== null && isGroupAnchor(anchor)) return anchor;
  const deviceId = bufferValue(e, 'msDS-DeviceID');
  if (deviceId && deviceId.length === 16) return `device:${guidToString(deviceId)}`;
  return textValue(e, 'sAMAccountName') ?? e.dn;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The writeback OU's groups; members are named by searching `nameBases` (e.g. the run's OU tree). */
export async function readWritebackOu(client: Client, ouDn: string, nameBases: readonly string[]): Promise<DumpGroup[]> {
  const { searchEntries } = await client.search(ouDn, {
    scope: 'sub',
    filter: '(objectClass=group)',
    attributes: GROUP_ATTRIBUTES,
    explicitBufferAttributes: ['objectGUID', 'objectSid'],
    paged: { pageSize: 1000 },
  });
  const memberGuids = new Map<string, string[]>();
  for (const e of searchEntries) memberGuids.set(e.dn, await readMemberGuids(client, e.dn));
  const all = new Set([...memberGuids.values()].flat());
  const names = all.size > 0 ? await memberNames(client, nameBases, all) : new Map<string, string>();
  const groups: DumpGroup[] = searchEntries.map((e) => {
    const sid = bufferValue(e, 'objectSid');
    return {
      cn: textValue(e, 'cn') ?? '',
      dn: e.dn,
      objectGUID: guidOf(e),
      objectSid: sid ? sidToString(sid) : '',
      sAMAccountName: textValue(e, 'sAMAccountName') ?? '',
      groupType: Number(textValue(e, 'groupType')),
      adminDescription: textValue(e, 'adminDescription'),
      displayName: textValue(e, 'displayName'),
      description: textValue(e, 'description'),
      mail: textValue(e, 'mail'),
      mailNickname: textValue(e, 'mailNickname'),
      proxyAddresses: textValues(e, 'proxyAddresses').sort(byCodeUnits),
      members: (memberGuids.get(e.dn) ?? []).map((g) => names.get(g) ?? `guid:${g}`).sort(byCodeUnits),
    };
  });
  return groups.sort((a, b) => byCodeUnits(a.cn, b.cn));
}
